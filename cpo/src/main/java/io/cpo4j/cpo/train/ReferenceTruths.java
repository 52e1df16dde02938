package io.cpo4j.cpo.train;

import io.cpo4j.cpo.score.CandidateSet;
import io.cpo4j.cpo.score.SequenceScorer;
import io.cpo4j.model.data.TokenizedExample;
import io.cpo4j.model.lm.LanguageModel;

import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The frozen reference's log-probability of each example's truth, computed the first time the
 * example is drawn and reused every later time (TRL's {@code precompute_ref_log_probs}, done
 * lazily): the reference never changes, so neither does the value, and from the second epoch on
 * the reference scores only the negatives it did not sample itself.
 *
 * <p>Each truth is scored alone, as a batch of one row, so its value does not depend on which
 * batch drew it first: a resumed run, whose table starts empty, computes the same bits as the
 * run it continues. The value can differ from the one the truth gets inside a batch in the last
 * bits (the batch's rows are summed by one product), so a policy equal to its reference starts
 * at rewards of a rounding error rather than exactly 0, as with sampled negatives.
 */
final class ReferenceTruths {

    private final LanguageModel reference;
    private final Map<TokenizedExample, Float> logProbs = new IdentityHashMap<>();
    private long drawn, reused;

    ReferenceTruths(LanguageModel reference) {
        this.reference = reference;
    }

    /**
     * {@code known} (B, K; null = nothing known) with each example's truth, candidate 0, filled in
     * from the table, scoring the truths not seen before.
     */
    float[][] withTruths(List<TokenizedExample> examples, float[][] known, int k) {
        float[][] out = new float[examples.size()][];
        for (int b = 0; b < examples.size(); b++) {
            if (known != null) {
                out[b] = known[b].clone();
            } else {
                out[b] = new float[k];
                Arrays.fill(out[b], Float.NaN);
            }
            out[b][0] = logProb(examples.get(b));
        }
        return out;
    }

    /** The reference's summed log-probability of the example's continuation after its prefix. */
    float logProb(TokenizedExample e) {
        drawn++;
        Float v = logProbs.get(e);
        if (v != null) {
            reused++;
            return v;
        }
        CandidateSet alone = new CandidateSet(new int[][] {e.prefix()}, new int[][][] {{e.continuation()}});
        float value = SequenceScorer.scoreNoGrad(reference, alone).values()[0];
        logProbs.put(e, value);
        return value;
    }

    /** Truths asked for so far. */
    long drawn() {
        return drawn;
    }

    /** Of those, the ones whose value came from the table. */
    long reused() {
        return reused;
    }
}
