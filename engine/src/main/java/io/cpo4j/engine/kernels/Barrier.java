package io.cpo4j.engine.kernels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * The workers of one {@link Parallel#region} wait here for each other: {@link #await()} returns
 * once every worker has called it as often; {@link #awaitUntil} once a condition that other
 * workers make true holds. A waiter spins a little, then yields its core, so
 * that a region with more workers than cores (the scaling benchmark's simulation of many cores)
 * still moves on.
 */
public final class Barrier {

    /** Spins before a waiter starts yielding: a barrier between two cores is crossed within a few microseconds. */
    static final int SPINS = 20_000;

    /** Thrown to a waiter when another worker of its region failed: the region is abandoned. */
    static final class Broken extends RuntimeException {
        Broken() {
            super("another worker of this parallel region failed", null, false, false);
        }
    }

    /** Crossings of barriers with more than one party since start. */
    static final AtomicLong CROSSED = new AtomicLong();
    /** Waits in {@link #awaitUntil} that found the condition false, since start. */
    static final AtomicLong WAITS = new AtomicLong();

    private final int parties;
    private final AtomicInteger arrived = new AtomicInteger();
    private volatile int phase;
    private volatile boolean broken;
    private int crossings;

    Barrier(int parties) {
        this.parties = parties;
    }

    /** Workers that meet here. */
    public int parties() {
        return parties;
    }

    /** Waits until every worker of the region has arrived here as often as this one. */
    public void await() {
        if (parties == 1) {
            crossings++;
            return;
        }
        int current = phase;
        if (arrived.incrementAndGet() == parties) {
            arrived.set(0);                                 // before the phase moves: no one re-arrives early
            crossings++;
            CROSSED.incrementAndGet();
            phase = current + 1;
            return;
        }
        for (int spins = 0; phase == current; spins++) {
            if (broken) throw new Broken();
            if (spins < SPINS) Thread.onSpinWait();
            else Thread.yield();
        }
    }

    /**
     * Waits until {@code condition} holds, which other workers of the region make true; for work
     * handed on through counters rather than a meeting of all. Returns whether it had to wait.
     */
    public boolean awaitUntil(BooleanSupplier condition) {
        if (condition.getAsBoolean()) return false;
        for (int spins = 0; !condition.getAsBoolean(); spins++) {
            if (broken) throw new Broken();
            if (spins < SPINS) Thread.onSpinWait();
            else Thread.yield();
        }
        WAITS.incrementAndGet();
        return true;
    }

    /** Times the workers have all met (read once the region is over). */
    public int crossings() {
        return crossings;
    }

    /** Releases every waiter, now and later, with {@link Broken}. */
    void breakAll() {
        broken = true;
    }
}
