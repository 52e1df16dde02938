package io.cpo4j.engine.internal;

import io.cpo4j.engine.Tensor;

/**
 * How an op gets the tensor it writes its result into: the one way, for every op in the engine.
 * The array belongs to the result alone and may come from this thread's buffer pool, so that
 * {@link io.cpo4j.engine.Autograd#backwardAndRecycle} can hand it to a later op once the graph
 * is released. Only views, which share their input's storage, are built otherwise.
 *
 * <p>This package is not exported: a custom op outside the engine builds its result with
 * {@link Tensor}'s public factories and records it with {@link io.cpo4j.engine.Autograd#record}.
 * {@code Tensor} installs the factory when its class is initialised, which happens before any op
 * can run (an op needs tensors to run on).
 */
public final class Outputs {

    /** Tensor's side: a result tensor over an array of its own. */
    public interface Factory {
        Tensor output(int[] shape, boolean zeroed);
    }

    private static volatile Factory factory;

    private Outputs() {}

    /** Called once, by {@code Tensor}'s class initialiser. */
    public static void install(Factory f) {
        if (factory != null) throw new IllegalStateException("the output factory is already installed");
        factory = f;
    }

    /**
     * A result tensor of {@code shape}. {@code zeroed}: whether the op relies on the array starting
     * at zero (it accumulates into it); without it, the op must write every element.
     */
    public static Tensor allocate(int[] shape, boolean zeroed) {
        Factory f = factory;
        if (f == null) {
            Tensor.zeros();                               // initialises Tensor, which installs the factory
            f = factory;
        }
        return f.output(shape, zeroed);
    }
}
