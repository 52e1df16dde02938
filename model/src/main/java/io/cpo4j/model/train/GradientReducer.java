package io.cpo4j.model.train;

/**
 * The middle of a training step — compute gradients, <b>combine them</b>, update. On one machine
 * this does nothing; a runner across several workers (for example Apache Spark's barrier
 * execution mode) would average the flat gradient buffer across them here, leaving the training
 * code unchanged.
 */
@FunctionalInterface
public interface GradientReducer {

    /** Combines this worker's gradients (the model's flat gradient buffer) with the others', in place. */
    void reduce(float[] gradients);

    /** One machine: gradients stay as they are. */
    GradientReducer LOCAL = gradients -> { };
}
