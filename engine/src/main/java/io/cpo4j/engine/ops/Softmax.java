package io.cpo4j.engine.ops;

import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.kernels.SoftmaxKernel;

/** Softmax and log-softmax over the last dimension; both keep their output for the backward. */
public final class Softmax {

    private Softmax() {}

    public static Tensor softmax(Tensor x) {
        int cols = lastDim("softmax", x), rows = x.size() / cols;
        Tensor xv = Layout.rowMajor(x);
        float[] y = new float[x.size()];
        SoftmaxKernel.forward(xv.data(), xv.offset(), y, 0, rows, cols);
        Tensor out = Tensor.over(y, 0, x.shape(), false);
        return Autograd.record("softmax", out, () -> {
            if (x.requiresGrad()) SoftmaxKernel.backward(y, 0, out.gradBuffer(), out.gradOffset(), x.gradBuffer(), x.gradOffset(), rows, cols);
        }, x);
    }

    public static Tensor logSoftmax(Tensor x) {
        int cols = lastDim("logSoftmax", x), rows = x.size() / cols;
        Tensor xv = Layout.rowMajor(x);
        float[] y = new float[x.size()];
        SoftmaxKernel.logForward(xv.data(), xv.offset(), y, 0, rows, cols);
        Tensor out = Tensor.over(y, 0, x.shape(), false);
        return Autograd.record("logSoftmax", out, () -> {
            if (x.requiresGrad()) SoftmaxKernel.logBackward(y, 0, out.gradBuffer(), out.gradOffset(), x.gradBuffer(), x.gradOffset(), rows, cols);
        }, x);
    }

    private static int lastDim(String op, Tensor x) {
        if (x.rank() == 0 || x.size(-1) == 0) throw new IllegalArgumentException(op + ": needs a non-empty last dimension, got shape " + io.cpo4j.engine.Shape.str(x.shape()));
        return x.size(-1);
    }
}
