package io.cpo4j.engine.ops;

import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.Shape;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.internal.Outputs;
import io.cpo4j.engine.kernels.SoftmaxKernel;

/** Softmax and log-softmax over the last dimension; both keep their output for the backward. */
final class Softmax {

    private Softmax() {}

    static Tensor softmax(Tensor x) {
        int cols = lastDim("softmax", x), rows = x.size() / cols;
        Tensor xv = Operands.rowMajor(x);
        Tensor out = Outputs.allocate(x.shape(), false);
        float[] y = out.data();
        SoftmaxKernel.forward(xv.data(), xv.offset(), y, 0, rows, cols);
        return Autograd.record("softmax", out, () -> {
            if (x.requiresGrad()) SoftmaxKernel.backward(y, 0, out.gradBuffer(), out.gradOffset(), x.gradBuffer(), x.gradOffset(), rows, cols);
        }, x);
    }

    static Tensor logSoftmax(Tensor x) {
        int cols = lastDim("logSoftmax", x), rows = x.size() / cols;
        Tensor xv = Operands.rowMajor(x);
        Tensor out = Outputs.allocate(x.shape(), false);
        float[] y = out.data();
        SoftmaxKernel.logForward(xv.data(), xv.offset(), y, 0, rows, cols);
        return Autograd.record("logSoftmax", out, () -> {
            if (x.requiresGrad()) SoftmaxKernel.logBackward(y, 0, out.gradBuffer(), out.gradOffset(), x.gradBuffer(), x.gradOffset(), rows, cols);
        }, x);
    }

    private static int lastDim(String op, Tensor x) {
        if (x.rank() == 0 || x.size(-1) == 0) throw new IllegalArgumentException(op + ": needs a non-empty last dimension, got shape " + Shape.str(x.shape()));
        return x.size(-1);
    }
}
