package io.cpo4j.model.train;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PhaseClockTest {

    @Test
    void sumsEachPhasesVisitsInFirstStartedOrder() {
        PhaseClock clock = new PhaseClock();
        long t0 = System.nanoTime();
        clock.start("sampling");
        spin(2_000_000);
        clock.start("backward");
        spin(1_000_000);
        clock.start("sampling");                       // a second visit adds to the first
        spin(2_000_000);
        clock.stop();
        double wall = (System.nanoTime() - t0) / 1e9;
        clock.stop();                                  // nothing under way: no effect
        assertThat(List.copyOf(clock.seconds().keySet())).containsExactly("sampling", "backward");
        assertThat(clock.seconds().get("sampling")).isGreaterThanOrEqualTo(0.004);
        assertThat(clock.seconds().get("backward")).isGreaterThanOrEqualTo(0.001);
        assertThat(clock.seconds().get("sampling") + clock.seconds().get("backward")).isLessThanOrEqualTo(wall);
        clock.reset();
        assertThat(clock.seconds()).isEmpty();
    }

    /** Waits at least {@code nanos} (parkNanos may return early). */
    private static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) Thread.onSpinWait();
    }
}
