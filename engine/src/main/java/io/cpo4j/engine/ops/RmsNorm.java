package io.cpo4j.engine.ops;

import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.Shape;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.internal.Outputs;
import io.cpo4j.engine.kernels.RmsNormKernel;

/** RMS normalisation over the last dimension with a learned scale (HF's {@code LlamaRMSNorm}). */
final class RmsNorm {

    private RmsNorm() {}

    /** x (.., C), weight (C) → (.., C). */
    static Tensor forward(Tensor x, Tensor weight, float eps) {
        int[] s = x.shape();
        int c = s.length == 0 ? 1 : s[s.length - 1];
        if (s.length == 0 || weight.rank() != 1 || weight.size() != c) {
            throw new IllegalArgumentException("rmsNorm: input " + Shape.str(s) + " needs a weight of shape [" + c
                    + "], got " + Shape.str(weight.shape()));
        }
        int rows = c == 0 ? 0 : x.size() / c;
        Tensor xv = Operands.rowMajor(x);
        Tensor wv = Operands.rowMajor(weight);
        float[] rstd = Autograd.needsGrad(x, weight) ? new float[rows] : null;   // (rows)
        Tensor result = Outputs.allocate(s, false);
        RmsNormKernel.forward(xv.data(), xv.offset(), wv.data(), wv.offset(), result.data(), 0, rstd, rows, c, eps);
        return Autograd.record("rmsNorm", result, () -> RmsNormKernel.backward(
                result.gradBuffer(), result.gradOffset(), xv.data(), xv.offset(), wv.data(), wv.offset(), rstd,
                x.requiresGrad() ? x.gradBuffer() : null, x.gradOffset(),
                weight.requiresGrad() ? weight.gradBuffer() : null, weight.gradOffset(), rows, c), x, weight);
    }
}
