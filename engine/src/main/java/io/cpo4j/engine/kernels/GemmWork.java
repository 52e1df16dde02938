package io.cpo4j.engine.kernels;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the workers of {@link Gemm}'s products did while counting was on: per worker (each thread
 * that took part, numbered in the order it first did), the tasks it ran and the floats it
 * packed, and the times a worker waited for another (for B panels another worker was packing,
 * for the tasks still reading the buffer it was to pack into, or for the same block one depth
 * back). The scaling benchmark reads it to show how the decomposition behaves as the thread
 * count grows; tests read it to check that the work is shared out. Counting costs one check per
 * task; it is off unless {@link #start} was called, and counts one caller's products at a time.
 */
public final class GemmWork {

    private static final int FIELDS = 3, TASKS = 0, PACKED_A = 1, PACKED_B = 2;
    /** Slots between two workers' counters: a cache line of longs, so that counting shares none. */
    private static final int STRIDE = 8;

    static volatile GemmWork active;

    private final int maxWorkers;
    private final long[] counts;
    private final Map<Thread, Integer> workers = new ConcurrentHashMap<>();
    private final AtomicInteger numbered = new AtomicInteger();
    private final AtomicLong products = new AtomicLong(), flops = new AtomicLong();   // a batch run a product per task reports from every worker
    private final AtomicLong waits = new AtomicLong();

    private GemmWork(int maxWorkers) {
        this.maxWorkers = maxWorkers;
        this.counts = new long[(maxWorkers + 1) * STRIDE];
    }

    /** Starts counting the products of up to {@code maxWorkers} workers; returns the counter that {@link #stop} ends. */
    public static GemmWork start(int maxWorkers) {
        GemmWork work = new GemmWork(maxWorkers);
        active = work;
        return work;
    }

    /** Stops counting; returns this counter, whose figures are then final. */
    public GemmWork stop() {
        if (active == this) active = null;
        return this;
    }

    /** This thread's worker number; threads past {@code maxWorkers} share the last (and may then lose counts). */
    private int worker() {
        return workers.computeIfAbsent(Thread.currentThread(), t -> Math.min(maxWorkers - 1, numbered.getAndIncrement()));
    }

    void task(long packedAFloats) {
        int at = (worker() + 1) * STRIDE;
        counts[at + TASKS]++;
        counts[at + PACKED_A] += packedAFloats;
    }

    void packedB(long floats) {
        counts[(worker() + 1) * STRIDE + PACKED_B] += floats;
    }

    void waited() {
        waits.incrementAndGet();
    }

    /** Called by the product's caller once its workers are done. */
    void product(long productFlops) {
        products.incrementAndGet();
        flops.addAndGet(productFlops);
    }

    public int maxWorkers() {
        return maxWorkers;
    }

    /** Threads that took part. */
    public int workers() {
        return workers.size();
    }

    public long products() {
        return products.get();
    }

    public long flops() {
        return flops.get();
    }

    /** Times a worker found the work it needed from others not yet done, summed over workers and products. */
    public long waits() {
        return waits.get();
    }

    public long tasks(int worker) {
        return counts[(worker + 1) * STRIDE + TASKS];
    }

    /** Floats of op(A) this worker packed into its own blocks. */
    public long packedA(int worker) {
        return counts[(worker + 1) * STRIDE + PACKED_A];
    }

    /** Floats of op(B) this worker packed into the slab all workers share. */
    public long packedB(int worker) {
        return counts[(worker + 1) * STRIDE + PACKED_B];
    }
}
