package io.cpo4j.model.train;

import java.util.Map;

/** Too many consecutive steps had a NaN or infinite loss or gradient; the run stops. */
public final class TrainingDivergedException extends IllegalStateException {

    private final transient Map<String, Double> lastMetrics;

    public TrainingDivergedException(String message, Map<String, Double> lastMetrics) {
        super(message);
        this.lastMetrics = lastMetrics == null ? Map.of() : Map.copyOf(lastMetrics);
    }

    /** The metrics of the step that ended the run (it was skipped). */
    public Map<String, Double> lastMetrics() {
        return lastMetrics;
    }
}
