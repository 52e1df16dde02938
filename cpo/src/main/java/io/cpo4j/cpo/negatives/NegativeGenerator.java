package io.cpo4j.cpo.negatives;

import java.util.List;

/**
 * Makes synthetic negatives for a batch of (prefix, ground-truth continuation) pairs. A negative is
 * never an exact copy of its truth. Generators are seeded through the {@link NegativeContext}, so a
 * run's negatives are reproducible.
 */
public interface NegativeGenerator {

    /** The name the CLI uses (autoregressive, batch, meanfield, truncation). */
    String name();

    /**
     * Up to {@code count} negatives for each example b of the batch; a generator that cannot make
     * enough (a batch of one has no other rows) returns fewer, and the caller fills the rest.
     */
    List<List<int[]>> generate(int[][] prefixes, int[][] truths, int count, NegativeContext context);
}
