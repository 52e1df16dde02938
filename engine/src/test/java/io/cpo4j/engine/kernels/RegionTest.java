package io.cpo4j.engine.kernels;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link Parallel#region} and its {@link Barrier}: work in phases, one fork and join. */
class RegionTest {

    private final int defaultThreads = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(defaultThreads);
    }

    @Test
    void everyWorkerSeesEveryWriteOfThePhaseBeforeTheBarrier() {
        for (int threads = 1; threads <= 5; threads++) {
            Parallel.setThreads(threads);
            int phases = 200;
            int[][] written = new int[phases][threads];
            int[] wrong = new int[threads];
            int[] seenWorkers = new int[1];
            Barrier barrier = Parallel.region(threads, (w, workers, phase) -> {
                if (w == 0) seenWorkers[0] = workers;
                for (int p = 0; p < phases; p++) {
                    written[p][w] = p + 1;
                    phase.await();
                    for (int other = 0; other < workers; other++) if (written[p][other] != p + 1) wrong[w]++;
                }
            });
            assertThat(seenWorkers[0]).as("workers on %d threads", threads).isEqualTo(threads);
            assertThat(barrier.crossings()).as("crossings on %d threads", threads).isEqualTo(phases);
            assertThat(wrong).as("writes missed on %d threads", threads).containsOnly(0);
        }
    }

    @Test
    void eachWorkerRunsOnItsOwnThread() {
        Parallel.setThreads(3);
        var names = ConcurrentHashMap.<String>newKeySet();
        AtomicIntegerArray runs = new AtomicIntegerArray(3);
        Parallel.region(3, (w, workers, barrier) -> {
            names.add(Thread.currentThread().getName());
            runs.incrementAndGet(w);
            barrier.await();
        });
        assertThat(names).hasSize(3);
        for (int w = 0; w < 3; w++) assertThat(runs.get(w)).isEqualTo(1);
    }

    @Test
    void aNestedRegionRunsOnItsCallerAlone() {
        Parallel.setThreads(2);
        int[] inner = new int[2];
        Parallel.region(2, (w, workers, barrier) -> {
            Barrier own = Parallel.region(2, (iw, iWorkers, ib) -> {
                inner[w] = iWorkers;
                ib.await();
            });
            assertThat(own.parties()).isEqualTo(1);
            barrier.await();
        });
        assertThat(inner).containsExactly(1, 1);
    }

    @Test
    void aWorkerThatFailsReleasesTheOthersFromTheBarrierAndItsFailureReachesTheCaller() {
        for (int failing = 0; failing < 2; failing++) {
            Parallel.setThreads(2);
            int culprit = failing;
            assertThatThrownBy(() -> Parallel.region(2, (w, workers, barrier) -> {
                for (int p = 0; p < 50; p++) {
                    if (w == culprit && p == 10) throw new IllegalStateException("worker " + w + " failed in phase 10");
                    barrier.await();
                }
            })).isInstanceOf(IllegalStateException.class).hasMessage("worker " + culprit + " failed in phase 10");
            // the team is usable afterwards
            int[] done = new int[2];
            Parallel.region(2, (w, workers, barrier) -> {
                barrier.await();
                done[w] = workers;
            });
            assertThat(done).containsExactly(2, 2);
        }
    }

    @Test
    void moreWorkersThanCoresStillMoveOn() {
        Parallel.setThreads(16);
        long[] sums = new long[16];
        Barrier barrier = Parallel.region(16, (w, workers, phase) -> {
            for (int p = 0; p < 100; p++) {
                sums[w] += p;
                phase.await();
            }
        });
        assertThat(barrier.crossings()).isEqualTo(100);
        assertThat(sums).containsOnly(4950L);
    }
}
