package io.cpo4j.model.train;

import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.Tensor;

import java.util.function.IntFunction;

/**
 * The loop the next-token objectives share: one loss per micro-batch, each backpropagated with
 * weight 1/microBatches through the recycling backward (the next micro-batch's ops reuse the
 * graph's arrays, so nothing of a graph may be read after its loss's backward).
 */
public final class MicroBatches {

    private MicroBatches() {}

    /** Runs {@code loss.apply(m)} for m = 0 … microBatches − 1, accumulates their gradients, and returns their mean value. */
    public static double accumulate(int microBatches, IntFunction<Tensor> loss) {
        double sum = 0;
        float[] weight = {1f / microBatches};
        for (int m = 0; m < microBatches; m++) {
            // a listener for finished gradients (Autograd.listenForGradients) hears only the last micro-batch's pass
            try (Autograd.Scope quiet = m + 1 < microBatches ? Autograd.listenForGradients(null) : null) {
                Tensor value = loss.apply(m);
                sum += value.item();
                Autograd.backwardAndRecycle(value, weight);
            }
        }
        return sum / microBatches;
    }
}
