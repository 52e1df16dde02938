package io.cpo4j.engine.kernels;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ParallelTest {

    private final int defaultThreads = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(defaultThreads);
    }

    @Test
    void everyTaskRunsOnceOnAnyThreadCount() {
        for (int threads = 1; threads <= 3; threads++) {
            Parallel.setThreads(threads);
            for (int n : new int[] {0, 1, 2, 7, 1000}) {
                AtomicIntegerArray runs = new AtomicIntegerArray(Math.max(1, n));
                Parallel.forEachTask(n, i -> runs.incrementAndGet(i));
                for (int i = 0; i < n; i++) assertThat(runs.get(i)).as("task %d of %d on %d threads", i, n, threads).isEqualTo(1);
            }
        }
    }

    @Test
    void tasksShareTheWorkWhenTheyAreSlow() {
        Parallel.setThreads(2);
        var names = ConcurrentHashMap.<String>newKeySet();
        Parallel.forEachTask(8, i -> {
            names.add(Thread.currentThread().getName());
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(names).hasSize(2);
    }

    @Test
    void aFailingTaskIsRethrownToTheCaller() {
        Parallel.setThreads(2);
        assertThatThrownBy(() -> Parallel.forEachTask(100, i -> {
            if (i == 37) throw new IllegalStateException("task 37");
        })).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("task 37");   
    }

    @Test
    void aFailingHelperStopsTheOtherWorkersHandingOutTasks() {
        Parallel.setThreads(2);
        AtomicIntegerArray runs = new AtomicIntegerArray(10_000);
        assertThatThrownBy(() -> Parallel.forEachTask(10_000, i -> {
            if (i == 1) throw new IllegalArgumentException("task 1");   // worker 1 (a helper) starts with task 1
            runs.incrementAndGet(i);
            try {
                Thread.sleep(0, 100_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        })).isInstanceOf(IllegalArgumentException.class).hasMessage("task 1");
        int ran = 0;
        for (int i = 0; i < runs.length(); i++) ran += runs.get(i);
        assertThat(ran).as("tasks run after the failure").isLessThan(10_000 - 1);
    }

    @Test
    void regionsFromTwoCallersAtOnceBothComplete() throws Exception {
        Parallel.setThreads(2);
        int n = 200;
        AtomicIntegerArray runs = new AtomicIntegerArray(2 * n);
        Thread other = new Thread(() -> {
            for (int r = 0; r < 50; r++) Parallel.forRange(n, 1, (from, to) -> { for (int i = from; i < to; i++) runs.incrementAndGet(n + i); });
        });
        other.start();
        for (int r = 0; r < 50; r++) Parallel.forRange(n, 1, (from, to) -> { for (int i = from; i < to; i++) runs.incrementAndGet(i); });
        other.join();
        for (int i = 0; i < 2 * n; i++) assertThat(runs.get(i)).as("item %d", i).isEqualTo(50);
    }

    @Test
    void resizingWhileAnotherThreadRunsRegionsNeitherLosesNorRepeatsWork() throws Exception {
        Parallel.setThreads(2);
        int n = 64, rounds = 2_000;
        AtomicIntegerArray runs = new AtomicIntegerArray(n);
        Thread worker = new Thread(() -> {
            for (int r = 0; r < rounds; r++) Parallel.forRange(n, 1, (from, to) -> { for (int i = from; i < to; i++) runs.incrementAndGet(i); });
        });
        worker.start();
        for (int k = 0; worker.isAlive() && k < 200; k++) Parallel.setThreads(1 + k % 3);
        worker.join(60_000);
        assertThat(worker.isAlive()).as("the region caller finished").isFalse();
        for (int i = 0; i < n; i++) assertThat(runs.get(i)).as("item %d", i).isEqualTo(rounds);
    }

    @Test
    void insideAPoolTasksRunInline() {
        Parallel.setThreads(2);
        AtomicIntegerArray runs = new AtomicIntegerArray(5);
        java.util.concurrent.ForkJoinPool.commonPool().submit(() -> {
            String caller = Thread.currentThread().getName();
            Parallel.forEachTask(5, i -> {
                assertThat(Thread.currentThread().getName()).isEqualTo(caller);
                runs.incrementAndGet(i);
            });
        }).join();
        for (int i = 0; i < 5; i++) assertThat(runs.get(i)).isEqualTo(1);
    }
}
