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
                .hasMessageContaining("task 37");   // a helper's exception comes back re-created by ForkJoinTask.join, the original as its cause
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
