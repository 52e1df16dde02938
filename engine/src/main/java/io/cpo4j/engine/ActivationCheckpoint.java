package io.cpo4j.engine;

import io.cpo4j.engine.kernels.Elementwise;

import java.util.Arrays;
import java.util.function.UnaryOperator;

/**
 * Activation recomputation (PyTorch's {@code torch.utils.checkpoint.checkpoint}, HuggingFace's
 * gradient checkpointing): the graph keeps a function's input and output only, and the backward
 * pass runs the function again, with its graph, to backpropagate through it. A transformer then
 * keeps each block's input and, while the backward pass is in one block, that block's activations.
 *
 * <p>The gradients are the stored-graph ones bit for bit: the forward pass runs the function with
 * its graph as usual (the same kernels, the same values; the graph is dropped on return, so a block
 * holds its activations only while it runs) and the backward pass runs it again on the same input,
 * with the random generators it draws from (dropout masks) set back to where they were.
 * The function's input gradient is added to the input's, after its other consumers' (for a block
 * whose input feeds nothing else, as in a transformer's chain of blocks, that is the same sum).
 */
public final class ActivationCheckpoint {

    private ActivationCheckpoint() {}

    /**
     * {@code function(x)} (any shape to any shape), with the graph behind it replaced by one that
     * recomputes it in the backward pass. {@code rngs}: every generator the function draws from,
     * replayed for the recomputation and left afterwards as they were before it. The function may
     * read other tensors that need a gradient only when they are leaves (parameters); without
     * grad (evaluation, {@link Autograd#noGrad()}) it is simply run.
     */
    public static Tensor checkpoint(UnaryOperator<Tensor> function, Tensor x, Rng... rngs) {
        if (!Autograd.isGradEnabled()) return function.apply(x);
        Rng[] before = copies(rngs);
        long first = Autograd.nextSequence();
        Tensor local = function.apply(leaf(x));
        if (!local.requiresGrad()) return local;                 // nothing in it is trained: a plain run
        Autograd.requireGraphFrom(local, first, "checkpoint");
        Rng[] after = copies(rngs);
        Tensor out = Tensor.takeOver(local);                     // the output's values; local's graph is dropped here
        return Autograd.recordRequiringGrad("checkpoint", out, () -> backward(function, x, out, before, after, rngs), x);
    }

    /** Runs the function again from x with its graph, backpropagates out's gradient through it, and adds x's share. */
    private static void backward(UnaryOperator<Tensor> function, Tensor x, Tensor out, Rng[] before, Rng[] after, Rng[] rngs) {
        Rng[] now = copies(rngs);
        Tensor input = leaf(x);
        Tensor local;
        long first;
        try (Autograd.Scope grad = Autograd.enableGrad()) {
            restore(rngs, before);
            first = Autograd.nextSequence();
            local = function.apply(input);
            for (int i = 0; i < rngs.length; i++) {
                if (!rngs[i].sameStateAs(after[i])) {
                    throw new IllegalStateException("checkpoint: the recomputed function drew from random generator " + i
                            + " differently than the first time; its draws must depend on the generators' states only");
                }
            }
        } finally {
            restore(rngs, now);
        }
        if (!Arrays.equals(local.shape(), out.shape()) || !local.requiresGrad()) {
            throw new IllegalStateException("checkpoint: the recomputed function gave " + local + " where the first run gave "
                    + Shape.str(out.shape()) + " requiring grad; it must compute the same thing again");
        }
        Autograd.requireGraphFrom(local, first, "checkpoint");
        // The recomputed graph is the function's own: nothing outside reads its tensors, so they are recycled.
        // A gradient listener hears nothing from it: the same block may run again elsewhere in the outer
        // graph (another length bucket, another micro-batch's rows), so its weights are not final here.
        try (Autograd.Scope quiet = Autograd.listenForGradients(null)) {
            Autograd.backwardAndRecycle(local, gradient(out));
        }
        if (x.requiresGrad()) Elementwise.axpy(1f, input.gradBuffer(), input.gradOffset(), x.gradBuffer(), x.gradOffset(), x.size());
    }

    /** A leaf over x's storage, requiring grad as x does: where the function's graph starts. */
    private static Tensor leaf(Tensor x) {
        return x.detach().requiresGrad(x.requiresGrad());
    }

    /** out's gradient as one array of out's size (its own buffer when that is one). */
    private static float[] gradient(Tensor out) {
        float[] g = out.gradBuffer();
        if (out.gradOffset() == 0 && g.length == out.size()) return g;
        return Arrays.copyOfRange(g, out.gradOffset(), out.gradOffset() + out.size());
    }

    private static Rng[] copies(Rng[] rngs) {
        Rng[] c = new Rng[rngs.length];
        for (int i = 0; i < rngs.length; i++) c[i] = rngs[i].copy();
        return c;
    }

    private static void restore(Rng[] rngs, Rng[] states) {
        for (int i = 0; i < rngs.length; i++) rngs[i].copyFrom(states[i]);
    }
}
