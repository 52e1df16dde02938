package io.cpo4j.engine;

import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The tape: ops record themselves here as they run forward; {@link #backward(Tensor)} replays
 * them in reverse. That is the whole autograd — the speed lives in the fused ops.
 *
 * <p>A custom op (PyTorch's {@code torch.autograd.Function}) is a forward computed outside the
 * graph and one {@link #record} call:
 * <pre>{@code
 * Tensor out = Tensor.scalar(loss(x.toArray()));                 // or Tensor.zeros / Tensor.wrap
 * return Autograd.record("myLoss", out, () -> {
 *     if (!x.requiresGrad()) return;
 *     float g = out.gradBuffer()[out.gradOffset()];             // ∂L/∂out
 *     float[] gx = x.gradBuffer();
 *     for (int i = 0; i < x.size(); i++) gx[x.gradOffset() + i] += g * dLossDx(i);   // accumulate, never assign
 * }, x);
 * }</pre>
 * The result must be a new tensor, not a view of an input; the backward reads its gradient at
 * {@link Tensor#gradBuffer()}{@code [}{@link Tensor#gradOffset()}{@code ..]} (row-major, logical
 * order) and adds into the gradient buffer of every input that {@link Tensor#requiresGrad()}.
 */
public final class Autograd {

    private static final AtomicLong SEQUENCE = new AtomicLong();
    private static final ThreadLocal<int[]> NO_GRAD_DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    private Autograd() {}

    /** A scope that ends with try-with-resources. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /** Hears, during a backward pass, that a leaf tensor (a parameter) has received its last gradient contribution of the pass. */
    @FunctionalInterface
    public interface GradientListener {
        void finished(Tensor leaf);
    }

    private static final ThreadLocal<GradientListener> LISTENER = new ThreadLocal<>();

    /**
     * Until the scope closes, every backward pass on this thread tells {@code listener} when each
     * leaf that requires grad has received its last contribution of that pass — right after the
     * backward of the last op that reads it, while the ops before it still run backward; leaves in
     * the order they finish, the same order on every run of the same graph. This is what
     * overlapping gradient communication with the backward pass needs (PyTorch DDP's buckets).
     * Leaves read only inside recomputed blocks ({@link ActivationCheckpoint}) are not reported: a
     * block may run more than once in one graph, and its inner pass cannot tell which run is last.
     */
    public static Scope listenForGradients(GradientListener listener) {
        GradientListener saved = LISTENER.get();
        LISTENER.set(listener);
        return () -> LISTENER.set(saved);
    }

    /** Inside this scope (on this thread) ops record nothing and results do not require grad. */
    public static Scope noGrad() {
        int[] depth = NO_GRAD_DEPTH.get();
        depth[0]++;
        return () -> depth[0]--;
    }

    /**
     * Inside this scope (on this thread) ops record again, even within an enclosing
     * {@link #noGrad()} scope (PyTorch's {@code torch.enable_grad()}); the enclosing scope's
     * setting returns when it closes.
     */
    public static Scope enableGrad() {
        int[] depth = NO_GRAD_DEPTH.get();
        int saved = depth[0];
        depth[0] = 0;
        return () -> depth[0] = saved;
    }

    /** False inside a {@link #noGrad()} scope. */
    public static boolean isGradEnabled() {
        return NO_GRAD_DEPTH.get()[0] == 0;
    }

    /** True when an op over these inputs must record itself (and keep what its backward needs). */
    public static boolean needsGrad(Tensor... inputs) {
        if (!isGradEnabled()) return false;
        for (Tensor t : inputs) if (t != null && t.requiresGrad()) return true;
        return false;
    }

    /**
     * Records that {@code out} was computed by {@code op} from {@code inputs}; {@code backward}
     * reads {@code out}'s gradient and accumulates into the inputs that require grad. Does nothing
     * when no input requires grad or grad is disabled. Returns {@code out}.
     */
    public static Tensor record(String op, Tensor out, Runnable backward, Tensor... inputs) {
        if (!needsGrad(inputs)) return out;
        out.requiresGrad(true);
        out.node = new Node(SEQUENCE.incrementAndGet(), op, inputs, backward);
        return out;
    }

    /**
     * {@link #record} for an op whose result requires grad through tensors it does not list: the
     * parameters inside the function that {@link ActivationCheckpoint} recomputes. Records
     * whenever grad is enabled.
     */
    static Tensor recordRequiringGrad(String op, Tensor out, Runnable backward, Tensor... inputs) {
        if (!isGradEnabled()) return out;
        out.requiresGrad(true);
        out.node = new Node(SEQUENCE.incrementAndGet(), op, inputs, backward);
        return out;
    }

    /** The number the next recorded op gets: ops recorded from now on have numbers at least this. */
    static long nextSequence() {
        return SEQUENCE.get() + 1;
    }

    /**
     * Refuses a graph from {@code root} that reaches an op recorded before {@code firstSeq}: the
     * graph of a recomputed function must be its own, so that backpropagating through it touches
     * nothing outside.
     */
    static void requireGraphFrom(Tensor root, long firstSeq, String who) {
        for (Tensor t : reverseTopological(root)) {
            if (t.node.seq < firstSeq) {
                throw new IllegalStateException(who + ": the function read " + t + ", computed by " + t.node.op
                        + " outside it, which needs a gradient; pass it as the input, or compute it inside the function");
            }
        }
    }

    /** Backpropagates from a one-element {@code root} (gradient 1), then releases the graph. */
    public static void backward(Tensor root) {
        if (root.size() != 1) {
            throw new IllegalArgumentException("backward() starts from a one-element tensor (a loss); got shape "
                    + Shape.str(root.shape()) + " (pass a gradient of that shape instead)");
        }
        backward(root, new float[] {1f});
    }

    /** Backpropagates {@code gradient} (root's shape, row-major) from {@code root}, then releases the graph. */
    public static void backward(Tensor root, float[] gradient) {
        backward(root, gradient, false);
    }

    /**
     * {@link #backward(Tensor, float[])}, and then this thread's next ops may reuse the storage of
     * every tensor the graph's ops computed: for a caller that reads none of them (nor views of
     * them) afterwards, such as a training step. A step then allocates almost nothing, where each
     * new array costs a zeroing pass on one thread and work for the collector. Reading such a
     * tensor afterwards throws; reading a view of one reads whatever a later op wrote there.
     */
    public static void backwardAndRecycle(Tensor root, float[] gradient) {
        backward(root, gradient, true);
    }

    private static void backward(Tensor root, float[] gradient, boolean recycleOutputs) {
        if (gradient.length != root.size()) {
            throw new IllegalArgumentException("backward(): gradient has " + gradient.length + " values, tensor shape " + Shape.str(root.shape()) + " has " + root.size());
        }
        if (root.released) {
            throw new IllegalStateException("backward(): the graph of this tensor was released by an earlier backward(); run the forward pass again");
        }
        if (!root.requiresGrad()) {
            throw new IllegalStateException("backward(): the tensor does not require grad (no trainable parameter in its graph, or it was computed under noGrad)");
        }
        List<Tensor> order = reverseTopological(root);
        float[] g = root.gradBuffer();
        for (int i = 0; i < gradient.length; i++) g[root.gradOffset() + i] += gradient[i];
        GradientListener listener = LISTENER.get();
        List<List<Tensor>> finishedAt = listener == null ? null : lastUses(order);
        try {
            for (int i = 0; i < order.size(); i++) {
                Tensor t = order.get(i);
                if (t.hasGrad()) t.node.backward.run();
                if (finishedAt != null && finishedAt.get(i) != null) for (Tensor leaf : finishedAt.get(i)) listener.finished(leaf);
            }
        } finally {
            List<float[]> released = new ArrayList<>();
            for (Tensor t : order) {
                t.node = null;
                t.released = true;
                float[] dropped = t.releaseGrad();
                if (dropped != null) released.add(dropped);
                float[] storage = recycleOutputs ? t.releaseData() : null;
                if (storage != null) released.add(storage);
            }
            BufferPool.recycle(released);
        }
    }

    /** For each position of {@code order}, the leaves that require grad and that no later position reads (null for none). */
    private static List<List<Tensor>> lastUses(List<Tensor> order) {
        Map<Tensor, Integer> last = new IdentityHashMap<>();
        for (int i = 0; i < order.size(); i++) {
            for (Tensor in : order.get(i).node.inputs) if (in != null && in.node == null && in.requiresGrad()) last.put(in, i);
        }
        List<List<Tensor>> at = new ArrayList<>(Collections.nCopies(order.size(), (List<Tensor>) null));
        for (int i = 0; i < order.size(); i++) {
            for (Tensor in : order.get(i).node.inputs) {
                if (in == null || !Integer.valueOf(i).equals(last.get(in))) continue;
                if (at.get(i) == null) at.set(i, new ArrayList<>());
                if (!at.get(i).contains(in)) at.get(i).add(in);            // an op may read one leaf twice
            }
        }
        return at;
    }

    /** Every op-produced tensor reachable from root, latest recorded first. */
    private static List<Tensor> reverseTopological(Tensor root) {
        List<Tensor> found = new ArrayList<>();
        Map<Tensor, Boolean> seen = new IdentityHashMap<>();
        ArrayDeque<Tensor> stack = new ArrayDeque<>();
        stack.push(root);
        while (!stack.isEmpty()) {
            Tensor t = stack.pop();
            if (t.node == null || seen.put(t, Boolean.TRUE) != null) continue;
            found.add(t);
            for (Tensor in : t.node.inputs) if (in != null) stack.push(in);
        }
        found.sort(Collections.reverseOrder((a, b) -> Long.compare(a.node.seq, b.node.seq)));
        return found;
    }
}
