package io.cpo4j.engine.kernels;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The engine-wide thread pool. Work is split into contiguous ranges of independent items
 * (rows, output tiles, heads); every item is computed by the same code whatever the split, so
 * results are bit-identical for any thread count. Reductions never cross a range boundary.
 *
 * <p>Size: system property {@code cpo4j.threads}, else the number of available processors;
 * change it at run time with {@link #setThreads(int)}.
 */
public final class Parallel {

    /** Range body: handle items {@code [from, to)}. */
    @FunctionalInterface
    public interface Range {
        void run(int from, int to);
    }

    private static volatile ForkJoinPool pool = newPool(defaultThreads());

    private Parallel() {}

    private static int defaultThreads() {
        String configured = System.getProperty("cpo4j.threads");
        if (configured != null && !configured.isBlank()) {
            try {
                int n = Integer.parseInt(configured.trim());
                if (n >= 1) return n;
            } catch (NumberFormatException ignored) {
                // fall through to the error below
            }
            throw new IllegalArgumentException("system property cpo4j.threads must be a positive integer, got '" + configured + "'");
        }
        return Runtime.getRuntime().availableProcessors();
    }

    private static ForkJoinPool newPool(int threads) {
        AtomicInteger counter = new AtomicInteger();
        return new ForkJoinPool(threads, p -> {
            ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setName("cpo4j-worker-" + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, null, false);
    }

    /** Number of threads the engine uses. */
    public static int threads() {
        return pool.getParallelism();
    }

    /** Resize the engine pool; results do not depend on this number, only the speed does. */
    public static synchronized void setThreads(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        if (threads == threads()) return;
        ForkJoinPool old = pool;
        pool = newPool(threads);
        old.shutdown();
    }

    /**
     * Runs {@code body} over {@code [0, n)} split into at most {@link #threads()} contiguous ranges
     * of at least {@code minChunk} items. Runs inline when the work is small or when called from
     * inside the pool (no nested fan-out, no deadlock).
     */
    public static void forRange(int n, int minChunk, Range body) {
        split(n, minChunk, 1, body);
    }

    /**
     * Like {@link #forRange}, but every split point is a multiple of {@link #ALIGN}, so that each
     * element falls on the same side of a vector loop's scalar tail whatever the thread count:
     * element-wise kernels stay bit-identical across thread counts.
     */
    public static void forAlignedRange(int n, int minChunk, Range body) {
        split(n, minChunk, ALIGN, body);
    }

    /** A task body: handle task {@code i}. */
    @FunctionalInterface
    public interface Task {
        void run(int i);
    }

    /**
     * Runs tasks {@code [0, n)}: worker w of up to {@link #threads()} (the caller is worker 0)
     * starts with task w, and every further task goes to whichever worker is free next. Use it
     * where the tasks are many and the workers may not run at the same speed: on a shared machine
     * one core can run well behind another for seconds at a time, and a fixed split waits for
     * the slower one.
     * Each task must compute the same values whoever runs it. Runs inline when called from
     * inside the pool.
     */
    public static void forEachTask(int n, Task body) {
        if (n <= 0) return;
        ForkJoinPool p = pool;
        int workers = Math.min(p.getParallelism(), n);
        if (workers <= 1 || ForkJoinTask.inForkJoinPool()) {
            for (int i = 0; i < n; i++) body.run(i);
            return;
        }
        // Worker w starts with task w, so that a helper slow to wake still gets its share of a few
        // tasks (the caller would otherwise take them all); after that, tasks go to whoever is free.
        AtomicInteger next = new AtomicInteger(workers);
        ForkJoinTask<?>[] helpers = new ForkJoinTask<?>[workers - 1];
        for (int w = 1; w < workers; w++) {
            int first = w;
            helpers[w - 1] = p.submit(() -> {
                for (int i = first; i < n; i = next.getAndIncrement()) body.run(i);
            });
        }
        runAndJoin(() -> {
            for (int i = 0; i < n; i = next.getAndIncrement()) body.run(i);
        }, () -> next.set(n), helpers);                           // on failure: stop handing out tasks
    }

    /**
     * Runs {@code body} over {@code [0, n)} in chunks of {@code chunk} items (the last one
     * shorter), each claimed by whichever worker is free next, as {@link #forEachTask}: for
     * row-wise kernels whose rows are independent.
     */
    public static void forChunks(int n, int chunk, Range body) {
        int size = Math.max(1, chunk), tasks = (n + size - 1) / size;
        forEachTask(tasks, i -> body.run(i * size, Math.min(n, (i + 1) * size)));
    }

    /** Split alignment of {@link #forAlignedRange}: a multiple of every float vector length. */
    public static final int ALIGN = 64;

    private static void split(int n, int minChunk, int align, Range body) {
        if (n <= 0) return;
        ForkJoinPool p = pool;
        int threads = p.getParallelism();
        int chunks = Math.min(threads, Math.max(1, n / Math.max(1, Math.max(minChunk, align))));
        if (chunks <= 1 || ForkJoinTask.inForkJoinPool()) {
            body.run(0, n);
            return;
        }
        int[] bounds = new int[chunks + 1];
        for (int c = 1; c < chunks; c++) bounds[c] = (int) ((long) n * c / chunks) / align * align;
        bounds[chunks] = n;
        ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[chunks - 1];
        for (int c = 1; c < chunks; c++) {
            int from = bounds[c], to = bounds[c + 1];
            tasks[c - 1] = p.submit(() -> body.run(from, to));
        }
        runAndJoin(() -> body.run(0, bounds[1]), () -> {}, tasks);
    }

    /**
     * Runs {@code own} on the calling thread ({@code onFailure} if it throws), then waits for every
     * helper; rethrows the first failure, the caller's before the helpers'.
     */
    private static void runAndJoin(Runnable own, Runnable onFailure, ForkJoinTask<?>[] helpers) {
        Throwable failure = null;
        try {
            own.run();
        } catch (RuntimeException | Error e) {
            failure = e;
            onFailure.run();
        }
        for (ForkJoinTask<?> t : helpers) {
            try {
                t.join();
            } catch (RuntimeException | Error e) {
                if (failure == null) failure = e;
            }
        }
        if (failure instanceof RuntimeException re) throw re;
        if (failure instanceof Error er) throw er;
    }
}
