package io.cpo4j.engine;

import io.cpo4j.engine.kernels.Elementwise;

import java.lang.ref.SoftReference;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The arrays a thread's last backward pass released, kept for its next step: a training step
 * needs the same sizes again. A recycled array is zeroed on every core (or not at all, for an op
 * that writes every element), where a new one is zeroed by the allocating thread alone and
 * later copied or swept by the collector.
 *
 * <p>Backward always releases the gradient buffers it allocated; {@link Autograd#backwardAndRecycle}
 * also releases the storage of the graph's op outputs, so that a training step allocates almost
 * nothing once the pool holds the previous step's arrays. Each backward pass replaces the whole
 * pool, so it never holds more than one graph's arrays; small arrays are left to the allocator.
 * The pool holds its arrays softly: the collector takes them back before it would run out of
 * memory (say, once training is over and the thread goes on to other work).
 *
 * <p>{@code -Dcpo4j.recycle=false} turns the pool off, so that the heap after a collection holds
 * live data only: for measuring what a step needs (softly held arrays look like live ones there).
 */
final class BufferPool {

    /** Arrays below this many floats (64 KB) are not kept: allocating them costs little. */
    static final int MIN_SIZE = 1 << 14;

    /** Whether released arrays are kept at all ({@code cpo4j.recycle}, default true). */
    static final boolean ENABLED = !"false".equals(System.getProperty("cpo4j.recycle"));

    private static final ThreadLocal<Map<Integer, ArrayDeque<SoftReference<float[]>>>> FREE = ThreadLocal.withInitial(HashMap::new);

    private BufferPool() {}

    /** A zeroed array of {@code size} floats: a recycled one when this thread has one of that size. */
    static float[] zeroed(int size) {
        float[] a = take(size);
        if (a == null) return new float[size];
        Elementwise.fill(0f, a, 0, size);
        return a;
    }

    /** An array of {@code size} floats holding anything (a recycled one) or zeros (a new one): for a caller that writes every element. */
    static float[] uninitialised(int size) {
        float[] a = take(size);
        return a == null ? new float[size] : a;
    }

    private static float[] take(int size) {
        ArrayDeque<SoftReference<float[]>> free = size >= MIN_SIZE ? FREE.get().get(size) : null;
        if (free == null) return null;
        for (SoftReference<float[]> r; (r = free.poll()) != null; ) {
            float[] a = r.get();
            if (a != null) return a;
        }
        return null;
    }

    /** Makes {@code released} (arrays no tensor refers to any more) this thread's pool, dropping the previous one. */
    static void recycle(List<float[]> released) {
        if (!ENABLED) return;
        Map<Integer, ArrayDeque<SoftReference<float[]>>> free = new HashMap<>();
        for (float[] a : released) {
            if (a.length >= MIN_SIZE) free.computeIfAbsent(a.length, n -> new ArrayDeque<>()).add(new SoftReference<>(a));
        }
        FREE.set(free);
    }
}
