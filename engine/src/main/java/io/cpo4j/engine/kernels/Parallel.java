package io.cpo4j.engine.kernels;

import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The engine-wide thread team ({@link Team}). Work is split into contiguous ranges of independent items
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

    private static volatile Team team = newTeam(defaultThreads());

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

    private static Team newTeam(int threads) {
        return new Team(threads, "cpo4j-worker-");
    }

    /**
     * Synchronisations since the JVM started: parallel regions that fanned out to helpers (one
     * fork and one join each), barriers crossed inside them, and waits of one worker for work
     * handed on by another ({@link Barrier#awaitUntil}) that did not find it done. Regions run on the caller alone
     * count in neither. For benchmarks that show how often a computation makes its cores wait.
     */
    public record Syncs(long forks, long barriers, long waits) {
        public Syncs minus(Syncs earlier) {
            return new Syncs(forks - earlier.forks, barriers - earlier.barriers, waits - earlier.waits);
        }
    }

    /** The synchronisations counted so far (see {@link Syncs}). */
    public static Syncs syncs() {
        return new Syncs(Team.JOBS.get(), Barrier.CROSSED.get(), Barrier.WAITS.get());
    }

    /** Number of threads the engine uses. */
    public static int threads() {
        return team.size();
    }

    /** Resize the engine pool; results do not depend on this number, only the speed does. */
    public static synchronized void setThreads(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        if (threads == threads()) return;
        Team old = team;
        team = newTeam(threads);
        old.shutdown();
    }

    /**
     * Runs {@code body} over {@code [0, n)} split into at most {@link #threads()} contiguous ranges
     * of at least {@code minChunk} items. Runs inline when the work is small or when called from
     * inside the team or a fork-join pool (no nested fan-out, no deadlock), and when another
     * thread's region has the team.
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
     * inside the team or a fork-join pool, and when another thread's region has the team.
     */
    public static void forEachTask(int n, Task body) {
        if (n <= 0) return;
        Team t = team;
        int workers = Math.min(t.size(), n);
        // Worker w starts with task w, so that a helper slow to wake still gets its share of a few
        // tasks (the caller would otherwise take them all); after that, tasks go to whoever is free.
        AtomicInteger next = new AtomicInteger(workers);
        if (workers <= 1 || nested(t) || !t.run(workers, w -> {
            for (int i = w; i < n; i = next.getAndIncrement()) body.run(i);
        }, () -> next.set(n))) {                                      // on failure: stop handing out tasks
            for (int i = 0; i < n; i++) body.run(i);
        }
    }

    /** A region body: worker {@code worker} of {@code workers} does its share, meeting the others at {@code barrier}. */
    @FunctionalInterface
    public interface Region {
        void run(int worker, int workers, Barrier barrier);
    }

    /**
     * Runs {@code body} once on each of up to {@code wanted} workers of the team (the caller is
     * worker 0), for work in phases: the workers meet at the barrier between phases, one fork and
     * one join for the whole region. The body must give the same values whatever {@code workers}
     * is. With one worker (a single thread, a nested call, or the team busy with another caller's
     * region) the body runs on the caller alone and the barrier returns at once. A failure on any
     * worker releases the others from the barrier and is rethrown to the caller.
     *
     * @return the barrier, for {@link Barrier#crossings()}
     */
    public static Barrier region(int wanted, Region body) {
        Team t = team;
        int workers = Math.min(t.size(), Math.max(1, wanted));
        if (workers > 1 && !nested(t)) {
            Barrier barrier = new Barrier(workers);
            Team.Share share = w -> {
                try {
                    body.run(w, workers, barrier);
                } catch (Barrier.Broken abandoned) {
                    // another worker failed first; the team rethrows its failure
                }
            };
            if (t.run(workers, share, barrier::breakAll)) return barrier;
        }
        Barrier solo = new Barrier(1);
        body.run(0, 1, solo);
        return solo;
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
        Team t = team;
        int chunks = Math.min(t.size(), Math.max(1, n / Math.max(1, Math.max(minChunk, align))));
        if (chunks <= 1 || nested(t)) {
            body.run(0, n);
            return;
        }
        int[] bounds = new int[chunks + 1];
        for (int c = 1; c < chunks; c++) bounds[c] = (int) ((long) n * c / chunks) / align * align;
        bounds[chunks] = n;
        if (!t.run(chunks, c -> body.run(bounds[c], bounds[c + 1]), () -> {})) body.run(0, n);
    }

    /** Inside the team or inside any fork-join pool, regions run inline: no nested fan-out, no deadlock. */
    private static boolean nested(Team t) {
        return ForkJoinTask.inForkJoinPool() || t.isHelper(Thread.currentThread());
    }
}
