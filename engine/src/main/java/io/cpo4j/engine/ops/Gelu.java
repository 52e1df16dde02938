package io.cpo4j.engine.ops;

import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.kernels.GeluKernel;

/** GELU, tanh approximation (GPT-2's {@code gelu_new}). */
public final class Gelu {

    private Gelu() {}

    public static Tensor forward(Tensor x) {
        Tensor xv = Layout.rowMajor(x);
        Tensor result = Tensor.output(x.shape(), false);
        float[] out = result.data();
        GeluKernel.forward(xv.data(), xv.offset(), out, 0, out.length);
        return Autograd.record("gelu", result, () -> {
            if (x.requiresGrad()) GeluKernel.backward(xv.data(), xv.offset(), result.gradBuffer(), result.gradOffset(),
                    x.gradBuffer(), x.gradOffset(), x.size());
        }, x);
    }
}
