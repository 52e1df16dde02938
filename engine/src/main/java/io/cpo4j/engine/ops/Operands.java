package io.cpo4j.engine.ops;

import io.cpo4j.engine.Shape;
import io.cpo4j.engine.Tensor;

/** How an op reads an input whose storage may be a transposed view. */
final class Operands {

    private Operands() {}

    /** The values of x in plain row-major layout, outside the graph (no copy when already so). */
    static Tensor rowMajor(Tensor x) {
        return x.isContiguous() ? x : Tensor.wrap(x.toArray(), x.shape());
    }

    /**
     * Refuses half-precision inputs (null ones are skipped) in one line naming the op and the dtype:
     * only linear (its weight), linears and embedding (its table) widen half-precision values.
     */
    static void requireFloat32(String op, Tensor... inputs) {
        for (Tensor t : inputs) {
            if (t != null && t.isHalf()) {
                throw new IllegalArgumentException(op + ": input " + (t.name() == null ? "" : "'" + t.name() + "' ") + "of shape "
                        + Shape.str(t.shape()) + " is " + t.dtype() + " (frozen half precision); " + op
                        + " needs F32 — only linear's weight, linears' weights and embedding's table may be half precision");
            }
        }
    }
}
