package io.cpo4j.engine.ops;

import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.internal.Outputs;
import io.cpo4j.engine.kernels.GeluKernel;

/** GELU, tanh approximation (GPT-2's {@code gelu_new}). */
final class Gelu {

    private Gelu() {}

    static Tensor forward(Tensor x) {
        Tensor xv = Operands.rowMajor(x);
        Tensor result = Outputs.allocate(x.shape(), false);
        float[] out = result.data();
        GeluKernel.forward(xv.data(), xv.offset(), out, 0, out.length);
        return Autograd.record("gelu", result, () -> {
            if (x.requiresGrad()) GeluKernel.backward(xv.data(), xv.offset(), result.gradBuffer(), result.gradOffset(),
                    x.gradBuffer(), x.gradOffset(), x.size());
        }, x);
    }
}
