package io.cpo4j.engine.ops;

import io.cpo4j.engine.Tensor;

/** How an op reads an input whose storage may be a transposed view. */
final class Operands {

    private Operands() {}

    /** The values of x in plain row-major layout, outside the graph (no copy when already so). */
    static Tensor rowMajor(Tensor x) {
        return x.isContiguous() ? x : Tensor.wrap(x.toArray(), x.shape());
    }
}
