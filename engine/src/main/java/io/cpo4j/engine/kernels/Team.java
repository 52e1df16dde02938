package io.cpo4j.engine.kernels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The helper threads behind {@link Parallel}: {@code size - 1} daemon threads that, after each job,
 * spin for {@link #SPIN_NANOS} before they park, as OpenMP's workers do. A decoding step runs a
 * few hundred short parallel regions (each mat-vec of a layer, 50–300 µs); waking a parked thread
 * for each of them costs tens of microseconds, which a spinning helper answers in about one.
 *
 * <p>One job at a time: a caller that finds the team busy (another thread's region) is told so and
 * runs its region itself.
 */
final class Team {

    /** How long an idle helper keeps spinning before it parks. */
    static final long SPIN_NANOS = 200_000;

    /** The work of one parallel region: participant {@code worker} (0 is the caller) does its share. */
    @FunctionalInterface
    interface Share {
        void run(int worker);
    }

    private final Helper[] helpers;
    private final ReentrantLock busy = new ReentrantLock();
    private volatile Job current;
    private volatile boolean shutdown;
    /** Jobs run by any team since start: each one fork and one join. */
    static final AtomicLong JOBS = new AtomicLong();

    Team(int size, String namePrefix) {
        helpers = new Helper[size - 1];
        for (int i = 0; i < helpers.length; i++) {
            helpers[i] = new Helper(i + 1);
            helpers[i].setName(namePrefix + (i + 1));
            helpers[i].setDaemon(true);
            helpers[i].start();
        }
    }

    /** Participants: the caller and the helpers. */
    int size() {
        return helpers.length + 1;
    }

    /** True on one of this team's helper threads. */
    boolean isHelper(Thread t) {
        return t instanceof Helper h && h.team() == this;
    }

    /**
     * Runs {@code share} for participants {@code [0, workers)}, the caller being 0, and returns once
     * all are done; rethrows the first failure, the caller's before the helpers'. Returns false,
     * having run nothing, when the team is busy with another caller's job or with this caller's
     * own (a region started from inside a region: its caller runs it alone).
     */
    boolean run(int workers, Share share, Runnable onFailure) {
        if (busy.isHeldByCurrentThread() || !busy.tryLock()) return false;
        try {
            if (shutdown) return false;                 // a caller that still holds a replaced team
            JOBS.incrementAndGet();
            Job job = new Job(share, workers, onFailure, Thread.currentThread());
            current = job;
            for (int i = 0; i < workers - 1; i++) if (helpers[i].parked) LockSupport.unpark(helpers[i]);
            Throwable own = null;
            try {
                share.run(0);
            } catch (RuntimeException | Error e) {
                own = e;
                onFailure.run();
            }
            job.awaitHelpers();
            Throwable failure = own != null ? own : job.failure;
            if (failure instanceof RuntimeException re) throw re;
            if (failure instanceof Error er) throw er;
            return true;
        } finally {
            busy.unlock();
        }
    }

    /**
     * Lets the helpers end once the job under way (if any) has completed; later {@link #run} calls
     * return false, so their callers run the region themselves.
     */
    void shutdown() {
        busy.lock();
        try {
            shutdown = true;
        } finally {
            busy.unlock();
        }
        for (Helper h : helpers) LockSupport.unpark(h);
    }

    private static final class Job {
        final Share share;
        final int workers;
        final Runnable onFailure;
        final Thread caller;
        final AtomicInteger remaining;
        volatile Throwable failure;

        Job(Share share, int workers, Runnable onFailure, Thread caller) {
            this.share = share;
            this.workers = workers;
            this.onFailure = onFailure;
            this.caller = caller;
            this.remaining = new AtomicInteger(workers - 1);
        }

        void runAs(int worker) {
            try {
                share.run(worker);
            } catch (RuntimeException | Error e) {
                synchronized (this) {
                    if (failure == null) failure = e;
                }
                onFailure.run();
            } finally {
                if (remaining.decrementAndGet() == 0) LockSupport.unpark(caller);
            }
        }

        /** Spins, then parks in short slices, until every helper has finished its share. */
        void awaitHelpers() {
            long start = System.nanoTime();
            while (remaining.get() > 0) {
                if (System.nanoTime() - start < SPIN_NANOS) Thread.onSpinWait();
                else LockSupport.parkNanos(this, 20_000);
            }
        }
    }

    private final class Helper extends Thread {
        final int index;
        volatile boolean parked;

        Helper(int index) {
            this.index = index;
        }

        Team team() {
            return Team.this;
        }

        @Override
        public void run() {
            Job last = null;
            long idleSince = System.nanoTime();
            while (!shutdown) {
                Job job = current;
                if (job != last) {
                    last = job;
                    if (index < job.workers) job.runAs(index);
                    idleSince = System.nanoTime();
                } else if (System.nanoTime() - idleSince < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    parked = true;                          // the caller reads this after publishing a job,
                    if (current == last && !shutdown) LockSupport.park(this);   // we re-read the job after writing it
                    parked = false;
                    idleSince = System.nanoTime();
                }
            }
        }
    }
}
