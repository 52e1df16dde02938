/**
 * Tensors, reverse-mode autograd, differentiable ops, optimizers and safetensors I/O. The Vector
 * API kernels are the engine's own, lent to the model module's decoder only; the op-output
 * factory ({@code io.cpo4j.engine.internal}) is not exported at all.
 */
module io.cpo4j.engine {
    requires jdk.incubator.vector;

    exports io.cpo4j.engine;
    exports io.cpo4j.engine.ops;
    exports io.cpo4j.engine.nn;
    exports io.cpo4j.engine.optim;
    exports io.cpo4j.engine.io;
    exports io.cpo4j.engine.kernels to io.cpo4j.model;
}
