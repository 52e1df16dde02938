package io.cpo4j.engine.ops;

import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.Shape;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.internal.Outputs;
import io.cpo4j.engine.kernels.LayerNormKernel;

/** Layer normalisation over the last dimension with a learned scale and shift. */
final class LayerNorm {

    private LayerNorm() {}

    /** x (.., C), weight (C), bias (C) → (.., C). */
    static Tensor forward(Tensor x, Tensor weight, Tensor bias, float eps) {
        int[] s = x.shape();
        int c = s[s.length - 1];
        if (weight.size() != c || bias.size() != c || weight.rank() != 1 || bias.rank() != 1) {
            throw new IllegalArgumentException("layerNorm: input " + Shape.str(s) + " needs weight and bias of shape [" + c
                    + "], got " + Shape.str(weight.shape()) + " and " + Shape.str(bias.shape()));
        }
        int rows = x.size() / c;
        Tensor xv = Operands.rowMajor(x);
        boolean grad = Autograd.needsGrad(x, weight, bias);
        float[] mean = grad ? new float[rows] : null, rstd = grad ? new float[rows] : null;
        Tensor result = Outputs.allocate(s, false);
        LayerNormKernel.forward(xv.data(), xv.offset(), weight.data(), weight.offset(), bias.data(), bias.offset(),
                result.data(), 0, mean, rstd, rows, c, eps);
        return Autograd.record("layerNorm", result, () -> LayerNormKernel.backward(
                result.gradBuffer(), result.gradOffset(), xv.data(), xv.offset(), weight.data(), weight.offset(), mean, rstd,
                x.requiresGrad() ? x.gradBuffer() : null, x.gradOffset(),
                weight.requiresGrad() ? weight.gradBuffer() : null, weight.gradOffset(),
                bias.requiresGrad() ? bias.gradBuffer() : null, bias.gradOffset(), rows, c), x, weight, bias);
    }
}
