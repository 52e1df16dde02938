package io.cpo4j.engine.ops;

import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.internal.Outputs;
import io.cpo4j.engine.kernels.Elementwise;
import io.cpo4j.engine.kernels.Elementwise.Op;

/**
 * Element-wise add, sub, mul, div with NumPy broadcasting, and scaling by a constant.
 *
 * <p>An operand that stretches is expanded to the result shape first; its gradient is folded back
 * in a fixed order, with a column sum when it repeats whole along the leading dimensions (a bias).
 * Gradients of operands at the result shape are accumulated in place, with no scratch buffer.
 */
final class Arithmetic {

    private Arithmetic() {}

    static Tensor add(Tensor a, Tensor b) {
        return binary(Op.ADD, a, b);
    }

    static Tensor sub(Tensor a, Tensor b) {
        return binary(Op.SUB, a, b);
    }

    static Tensor mul(Tensor a, Tensor b) {
        return binary(Op.MUL, a, b);
    }

    static Tensor div(Tensor a, Tensor b) {
        return binary(Op.DIV, a, b);
    }

    // ---------------------------------------------------------------- forward

    private static Tensor binary(Op op, Tensor a, Tensor b) {
        String name = op.name().toLowerCase();
        int[] outShape = Broadcast.shape(name, a.shape(), b.shape());
        Tensor av = operand(a, outShape), bv = operand(b, outShape);
        int n = av.size();
        Tensor result = Outputs.allocate(outShape, false);
        Elementwise.binary(op, av.data(), av.offset(), bv.data(), bv.offset(), result.data(), 0, n);
        return Autograd.record(name, result, () -> backward(op, result, a, b, av, bv), a, b);
    }

    /** The operand's values at the result shape (a view when nothing stretches). */
    private static Tensor operand(Tensor x, int[] outShape) {
        Tensor rm = Operands.rowMajor(x);
        if (Broadcast.same(x.shape(), outShape)) return rm;
        return Tensor.wrap(Broadcast.expand(rm.data(), rm.offset(), x.shape(), outShape), outShape);
    }

    // ---------------------------------------------------------------- backward

    /** ga += ∂out/∂a · g, gb += ∂out/∂b · g, each folded back onto its operand's shape. */
    private static void backward(Op op, Tensor out, Tensor a, Tensor b, Tensor av, Tensor bv) {
        if (a.requiresGrad()) accumulate(op, true, out, av, bv, a);
        if (b.requiresGrad()) accumulate(op, false, out, av, bv, b);
    }

    /**
     * x.grad += the gradient of one operand: straight into x's buffer when x has the result shape,
     * else into a scratch buffer at the result shape that is then summed back onto x's shape.
     */
    private static void accumulate(Op op, boolean first, Tensor out, Tensor av, Tensor bv, Tensor x) {
        int n = out.size();
        float[] g = out.gradBuffer();
        int go = out.gradOffset();
        boolean direct = Broadcast.same(x.shape(), out.shape());
        float[] dst = direct ? x.gradBuffer() : new float[n];
        int d = direct ? x.gradOffset() : 0;
        switch (op) {
            case ADD -> Elementwise.axpy(1f, g, go, dst, d, n);
            case SUB -> Elementwise.axpy(first ? 1f : -1f, g, go, dst, d, n);
            case MUL -> {
                Tensor other = first ? bv : av;
                Elementwise.mulAdd(g, go, other.data(), other.offset(), dst, d, n);
            }
            case DIV -> {
                if (first) Elementwise.divBackward(g, go, av.data(), av.offset(), bv.data(), bv.offset(), dst, d, null, 0, n);
                else Elementwise.divBackward(g, go, av.data(), av.offset(), bv.data(), bv.offset(), null, 0, dst, d, n);
            }
        }
        if (!direct) foldInto(dst, out.shape(), x);
    }

    /** x.grad += g (at the result shape) summed back onto x's shape. */
    private static void foldInto(float[] g, int[] outShape, Tensor x) {
        int repeats = Broadcast.repeats(x.shape(), outShape);
        if (repeats > 0) {
            Elementwise.sumRowsInto(g, 0, repeats, x.size(), x.gradBuffer(), x.gradOffset());
        } else {
            Broadcast.sumTo(g, 0, outShape, x.gradBuffer(), x.gradOffset(), x.shape());
        }
    }

    // ---------------------------------------------------------------- scale

    /** out = s · x. */
    static Tensor scale(Tensor x, float s) {
        Tensor xv = Operands.rowMajor(x);
        Tensor result = Outputs.allocate(x.shape(), false);
        Elementwise.scale(s, xv.data(), xv.offset(), result.data(), 0, x.size());
        return Autograd.record("scale", result, () -> {
            if (x.requiresGrad()) Elementwise.axpy(s, result.gradBuffer(), result.gradOffset(), x.gradBuffer(), x.gradOffset(), x.size());
        }, x);
    }
}
