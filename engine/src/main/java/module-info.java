/** Tensors, reverse-mode autograd, Vector API kernels, optimizers and safetensors I/O. */
module io.cpo4j.engine {
    requires jdk.incubator.vector;

    exports io.cpo4j.engine;
    exports io.cpo4j.engine.kernels;
    exports io.cpo4j.engine.ops;
    exports io.cpo4j.engine.nn;
    exports io.cpo4j.engine.optim;
    exports io.cpo4j.engine.io;
}
