package io.cpo4j.model.train;

import java.util.Map;

/**
 * What a {@link Trainer} minimises. {@link #accumulate} runs one optimizer step's worth of data
 * forward and backward, adding the gradient of the step's mean loss into the model's gradient
 * buffer; the trainer then combines, clips and applies it. Next-token prediction is one
 * objective; the contrastive objectives of the cpo module are others.
 */
public interface Objective {

    /**
     * Accumulates gradients over {@code microBatches} micro-batches of {@code batchSize} examples
     * each (the trainer passes its config's), each micro-batch weighted 1/microBatches, and returns
     * the step's metrics (at least {@code loss}) in the order to log them.
     */
    Map<String, Double> accumulate(int batchSize, int microBatches);

    /** Model rows one example of a micro-batch becomes (K candidates for a contrastive objective), for the memory estimate. */
    default int rowsPerExample() {
        return 1;
    }

    /**
     * Seconds the last {@link #accumulate} spent in each of its phases (e.g. sampling, scoring,
     * backward), or empty when the objective does not time them.
     */
    default Map<String, Double> lastPhaseSeconds() {
        return Map.of();
    }

    /**
     * Whether each parameter's gradient is final after one backward pass of the step's last
     * micro-batch (as with {@link MicroBatches}), so that a {@link GradientReducer} may combine
     * gradients while that pass still runs. False (the default) for an objective that backpropagates
     * several times per micro-batch.
     */
    default boolean finishesGradientsInOnePass() {
        return false;
    }

    /** Tokens processed by the last {@link #accumulate} (forward passes, for tokens/s). */
    long lastTokens();

    /** Where the objective is in its data and random streams, for checkpoints. */
    Map<String, Long> state();

    /** Continues from a saved {@link #state}. */
    void restore(Map<String, Long> state);
}
