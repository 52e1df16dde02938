package io.cpo4j.cpo.negatives;

/**
 * A negative continuation, with the frozen reference model's log-probability of it when the
 * generator already computed it on the way (sampling from the reference does: the sampler's
 * temperature-1 log-probabilities are the quantity scoring computes, equal to float rounding —
 * decoding with a KV cache sums in another order, about 1e-7 relative) — NaN when it did not.
 * A known value spares the reference a forward pass over the row.
 */
public record Negative(int[] tokens, float referenceLogProb) {

    public static Negative of(int[] tokens) {
        return new Negative(tokens, Float.NaN);
    }

    public boolean hasReferenceLogProb() {
        return !Float.isNaN(referenceLogProb);
    }
}
