package io.cpo4j.model.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Wall-clock seconds per named phase of a training step (sampling, scoring, backward, …), summed
 * over the phase's visits since the last {@link #reset}. Starting a phase ends the one under way.
 * Read by benchmarks and reports to say where a step's time goes; never part of the metrics, so
 * the logged numbers stay deterministic.
 */
public final class PhaseClock {

    private final Map<String, Long> nanos = new LinkedHashMap<>();
    private String current;
    private long since;

    /** Ends the phase under way, if any, and starts {@code phase}. */
    public void start(String phase) {
        stop();
        current = phase;
        since = System.nanoTime();
    }

    /** Ends the phase under way, if any. */
    public void stop() {
        if (current != null) nanos.merge(current, System.nanoTime() - since, Long::sum);
        current = null;
    }

    /** Forgets every phase. */
    public void reset() {
        nanos.clear();
        current = null;
    }

    /** Seconds per phase, in first-started order. */
    public Map<String, Double> seconds() {
        Map<String, Double> out = new LinkedHashMap<>();
        nanos.forEach((k, v) -> out.put(k, v / 1e9));
        return out;
    }
}
