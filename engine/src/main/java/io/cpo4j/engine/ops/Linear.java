package io.cpo4j.engine.ops;

import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.Shape;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.internal.Outputs;
import io.cpo4j.engine.kernels.Elementwise;
import io.cpo4j.engine.kernels.Gemm;
import io.cpo4j.engine.kernels.MatVecKernel;

/**
 * A fused affine map as PyTorch's {@code nn.Linear}: {@code y = x · Wᵀ + b} with W stored
 * (out, in). One GEMM forward, two backward, and the bias gradient as a column sum.
 */
final class Linear {

    /** Up to this many rows without a graph (decoding), the weight is read once per row group by the mat-vec kernel: memory-bound, not a GEMM. */
    static final int MATVEC_ROWS = 8;

    private Linear() {}

    /** x (.., in), weight (out, in), bias (out) or null → (.., out). */
    static Tensor forward(Tensor x, Tensor weight, Tensor bias) {
        int[] xs = x.shape(), ws = weight.shape();
        if (xs.length < 1 || ws.length != 2 || ws[1] != xs[xs.length - 1] || (bias != null && (bias.rank() != 1 || bias.size() != ws[0]))) {
            throw new IllegalArgumentException("linear: input " + Shape.str(xs) + ", weight " + Shape.str(ws)
                    + (bias == null ? "" : ", bias " + Shape.str(bias.shape())) + " do not fit (weight must be (out, in), bias (out))");
        }
        int in = ws[1], outF = ws[0], rows = x.size() / in;
        Tensor xv = Operands.rowMajor(x), w = Operands.rowMajor(weight);
        int[] shape = xs.clone();
        shape[shape.length - 1] = outF;
        Tensor out = Outputs.allocate(shape, false);             // every element written: the bias, or the product
        float[] y = out.data();
        if (rows <= MATVEC_ROWS && !Autograd.needsGrad(x, weight, bias)) {
            MatVecKernel.multiply(xv.data(), xv.offset(), rows, in, w.data(), w.offset(), outF,
                    bias == null ? null : bias.data(), bias == null ? 0 : bias.offset(), y, 0);
            return out;
        }
        if (bias != null) {
            for (int r = 0; r < rows; r++) System.arraycopy(bias.data(), bias.offset(), y, r * outF, outF);
        }
        Gemm.gemm(false, true, rows, outF, in, xv.data(), xv.offset(), in, w.data(), w.offset(), in, y, 0, outF, bias != null);
        return Autograd.record("linear", out, () -> backward(out, x, weight, bias, xv, w, rows, in, outF), x, weight, bias);
    }

    /** dx (rows, in) += dy · W;  dW (out, in) += dyᵀ · x;  db (out) += Σ_rows dy. */
    private static void backward(Tensor out, Tensor x, Tensor weight, Tensor bias, Tensor xv, Tensor w, int rows, int in, int outF) {
        float[] g = out.gradBuffer();
        int go = out.gradOffset();
        if (x.requiresGrad()) {
            Gemm.gemm(false, false, rows, in, outF, g, go, outF, w.data(), w.offset(), in, x.gradBuffer(), x.gradOffset(), in, true);
        }
        if (weight.requiresGrad()) {
            Gemm.gemm(true, false, outF, in, rows, g, go, outF, xv.data(), xv.offset(), in, weight.gradBuffer(), weight.gradOffset(), in, true);
        }
        if (bias != null && bias.requiresGrad()) {
            Elementwise.sumRowsInto(g, go, rows, outF, bias.gradBuffer(), bias.gradOffset());
        }
    }
}
