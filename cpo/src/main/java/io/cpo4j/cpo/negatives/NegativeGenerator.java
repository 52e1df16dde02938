package io.cpo4j.cpo.negatives;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Makes negatives for a batch of (prefix, ground-truth continuation) pairs: synthetic ones, or the
 * user's own rejected continuations ({@link PreferenceNegatives}). A negative is never an exact copy
 * of its truth. Generators are seeded through the {@link NegativeContext}, so a
 * run's negatives are reproducible.
 */
public interface NegativeGenerator {

    /** The generator's name, in metrics and configs (autoregressive, batch, meanfield, truncation, preference). */
    String name();

    /** The generator's settings as JSON-ready values, for a run's config (none by default). */
    default Map<String, Object> options() {
        return Map.of();
    }

    /**
     * Up to {@code count} negatives for each example b of the batch; a generator that cannot make
     * enough (a batch of one has no other rows) returns fewer, and the caller fills the rest.
     */
    List<List<int[]>> generate(int[][] prefixes, int[][] truths, int count, NegativeContext context);

    /**
     * The same negatives as {@link #generate}, each with the reference model's log-probability
     * where the generator knows it without extra work (NaN elsewhere). Generators that sample from
     * the reference override this; the others know nothing more than their tokens.
     */
    default List<List<Negative>> generateWithReference(int[][] prefixes, int[][] truths, int count, NegativeContext context) {
        List<List<Negative>> out = new ArrayList<>();
        for (List<int[]> negatives : generate(prefixes, truths, count, context)) {
            List<Negative> mine = new ArrayList<>();
            for (int[] tokens : negatives) mine.add(Negative.of(tokens));
            out.add(mine);
        }
        return out;
    }
}
