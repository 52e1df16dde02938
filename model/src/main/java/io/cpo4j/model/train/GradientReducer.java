package io.cpo4j.model.train;

import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.nn.Parameters;

import java.util.Map;

/**
 * The middle of a training step — compute gradients, <b>combine them</b>, update. On one machine
 * this does nothing; a data-parallel runner (for example on Apache Spark's barrier execution mode)
 * averages the flat gradient buffer and the step's metrics across its replicas here, leaving the
 * training code unchanged.
 */
@FunctionalInterface
public interface GradientReducer {

    /** Combines this worker's gradients (the model's flat gradient buffer) with the others', in place. */
    void reduce(float[] gradients);

    /**
     * The step's metrics (loss, rewards, …) combined across workers, so that every replica logs the
     * same figures and takes the same decision on a non-finite loss. One machine: as they are.
     */
    default Map<String, Double> reduceMetrics(Map<String, Double> metrics) {
        return metrics;
    }

    /**
     * To overlap combining with the backward pass: called before a step's forward and backward
     * passes (only for an objective that {@linkplain Objective#finishesGradientsInOnePass finishes
     * its gradients in one pass}) with the trainable parameters; returns what hears each parameter's
     * gradient become final during the pass ({@link Autograd#listenForGradients}), or null (the
     * default) to combine everything in {@link #reduce}, which must in any case finish what the
     * listener started.
     */
    default Autograd.GradientListener overlap(Parameters parameters) {
        return null;
    }

    /** One machine: gradients stay as they are. */
    GradientReducer LOCAL = gradients -> { };
}
