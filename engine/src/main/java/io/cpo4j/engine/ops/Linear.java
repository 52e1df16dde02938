package io.cpo4j.engine.ops;

import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.DType;
import io.cpo4j.engine.Shape;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.internal.Outputs;
import io.cpo4j.engine.kernels.Elementwise;
import io.cpo4j.engine.kernels.Gemm;
import io.cpo4j.engine.kernels.HalfMatVecKernel;
import io.cpo4j.engine.kernels.MatVecKernel;

/**
 * A fused affine map as PyTorch's {@code nn.Linear}: {@code y = x · Wᵀ + b} with W stored
 * (out, in). One GEMM forward, two backward, and the bias gradient as a column sum.
 *
 * <p>The weight may be a frozen half-precision tensor ({@link Tensor#frozenHalf}): the kernels then
 * widen it as they read it (the mat-vec kernel per vector, the GEMM while packing), the result has
 * the bits of the same product on the widened weight, and the backward computes dx only.
 */
final class Linear {

    /** Up to this many rows without a graph (decoding), the weight is read once per row group by the mat-vec kernel: memory-bound, not a GEMM. */
    static final int MATVEC_ROWS = 8;

    private Linear() {}

    /** x (.., in), weight (out, in), bias (out) or null → (.., out). */
    static Tensor forward(Tensor x, Tensor weight, Tensor bias) {
        Operands.requireFloat32("linear", x, bias);
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
        boolean half = w.isHalf(), bf16 = w.dtype() == DType.BF16;
        if (rows <= MATVEC_ROWS && !Autograd.needsGrad(x, weight, bias)) {
            float[] b = bias == null ? null : bias.data();
            int bo = bias == null ? 0 : bias.offset();
            if (half) HalfMatVecKernel.multiply(xv.data(), xv.offset(), rows, in, w.halfData(), w.offset(), bf16, outF, b, bo, y, 0);
            else MatVecKernel.multiply(xv.data(), xv.offset(), rows, in, w.data(), w.offset(), outF, b, bo, y, 0);
            return out;
        }
        if (bias != null) {
            for (int r = 0; r < rows; r++) System.arraycopy(bias.data(), bias.offset(), y, r * outF, outF);
        }
        if (half) Gemm.gemmHalfB(false, true, rows, outF, in, xv.data(), xv.offset(), in, w.halfData(), w.offset(), in, bf16, y, 0, outF, bias != null);
        else Gemm.gemm(false, true, rows, outF, in, xv.data(), xv.offset(), in, w.data(), w.offset(), in, y, 0, outF, bias != null);
        return Autograd.record("linear", out, () -> backward(out, x, weight, bias, xv, w, rows, in, outF), x, weight, bias);
    }

    /**
     * Several linear maps of the same x: weights[m] (out[m], in), biases[m] or null (biases itself may be
     * null) → one tensor (.., out[m]) each. Without a graph and with few rows (decoding) they share one
     * mat-vec region; otherwise each is {@link #forward} on its own, with its own backward.
     */
    static Tensor[] forwardAll(Tensor x, Tensor[] weights, Tensor[] biases) {
        int n = weights.length;
        Tensor[] b = biases == null ? new Tensor[n] : biases;
        if (b.length != n) throw new IllegalArgumentException("linears: " + n + " weights but " + b.length + " biases");
        int[] xs = x.shape();
        int in = xs.length == 0 ? 0 : xs[xs.length - 1], rows = in == 0 ? 0 : x.size() / in;
        boolean plain = rows <= MATVEC_ROWS && !Autograd.needsGrad(x) && !x.isHalf();
        DType dtype = n == 0 ? DType.F32 : weights[0].dtype();
        for (int m = 0; m < n && plain; m++) {
            int[] ws = weights[m].shape();
            plain = ws.length == 2 && ws[1] == in && (b[m] == null || (b[m].rank() == 1 && b[m].size() == ws[0] && !b[m].isHalf()))
                    && !Autograd.needsGrad(weights[m], b[m]) && weights[m].dtype() == dtype;
        }
        Tensor[] out = new Tensor[n];
        if (!plain) {                                   // also where shapes or dtypes are wrong or mixed: forward names them
            for (int m = 0; m < n; m++) out[m] = forward(x, weights[m], b[m]);
            return out;
        }
        Tensor xv = Operands.rowMajor(x);
        float[][] w = new float[n][], bias = new float[n][], y = new float[n][];
        short[][] h = new short[n][];
        int[] wOff = new int[n], bOff = new int[n], outF = new int[n];
        for (int m = 0; m < n; m++) {
            Tensor wm = Operands.rowMajor(weights[m]);
            if (dtype.isHalf()) h[m] = wm.halfData();
            else w[m] = wm.data();
            wOff[m] = wm.offset();
            outF[m] = wm.shape()[0];
            if (b[m] != null) {
                bias[m] = b[m].data();
                bOff[m] = b[m].offset();
            }
            int[] shape = xs.clone();
            shape[shape.length - 1] = outF[m];
            out[m] = Outputs.allocate(shape, false);                     // every element written
            y[m] = out[m].data();
        }
        if (dtype.isHalf()) HalfMatVecKernel.multiplyAll(xv.data(), xv.offset(), rows, in, h, wOff, dtype == DType.BF16, outF, bias, bOff, y);
        else MatVecKernel.multiplyAll(xv.data(), xv.offset(), rows, in, w, wOff, outF, bias, bOff, y);
        return out;
    }

    /** dx (rows, in) += dy · W;  dW (out, in) += dyᵀ · x;  db (out) += Σ_rows dy. A half-precision W gives dx only. */
    private static void backward(Tensor out, Tensor x, Tensor weight, Tensor bias, Tensor xv, Tensor w, int rows, int in, int outF) {
        float[] g = out.gradBuffer();
        int go = out.gradOffset();
        if (x.requiresGrad() && w.isHalf()) {
            Gemm.gemmHalfB(false, false, rows, in, outF, g, go, outF, w.halfData(), w.offset(), in, w.dtype() == DType.BF16,
                    x.gradBuffer(), x.gradOffset(), in, true);
        } else if (x.requiresGrad()) {
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
