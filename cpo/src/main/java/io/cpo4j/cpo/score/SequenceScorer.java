package io.cpo4j.cpo.score;

import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.ops.F;
import io.cpo4j.model.lm.LanguageModel;
import io.cpo4j.model.lm.SharedPrefixes;

/**
 * Scores candidate continuations in batched forward passes: each row is prefix + candidate,
 * right-padded to the longest row of its pass; only the candidate's tokens (the end-of-text token
 * included) are counted — prefix and padding positions get an ignored target. Right padding needs
 * no attention mask: causal attention never looks forward into it. Dropout is off while scoring,
 * in training too.
 *
 * <p>The {@link ScoringPlan} decides the rows: candidates that are a prefix of another (up to their
 * last token) are read from its row, rows are grouped by length, and candidates whose score is
 * already known get no row; with {@code sharePrefixes}, each prompt runs once and its rows attend
 * to its keys and values.
 */
public final class SequenceScorer {

    private SequenceScorer() {}

    /** Scores with gradients flowing into {@code model}'s parameters (when grad is enabled). */
    public static SequenceScores score(LanguageModel model, CandidateSet set) {
        return score(model, set, null);
    }

    /**
     * Scores the candidates whose {@code known} value is NaN and takes the finite ones as given
     * (constants: no gradient flows through them).
     *
     * @param known (B, K) log-probabilities already known, NaN (any non-finite value) where unknown; null = score all
     */
    public static SequenceScores score(LanguageModel model, CandidateSet set, float[][] known) {
        return score(model, set, known, false);
    }

    /**
     * {@link #score(LanguageModel, CandidateSet, float[][])}, with {@code sharePrefixes}: each
     * example's prompt runs once through the model (forward and backward) instead of once per
     * candidate row, its keys and values shared by the rows ({@link ScoringPlan#shared},
     * {@link LanguageModel#sharedPrefixes}). The same log-probabilities and gradients up to float
     * rounding. A model with gradient checkpointing on scores unshared while grad is enabled (the
     * shared forward does not recompute activations).
     */
    public static SequenceScores score(LanguageModel model, CandidateSet set, float[][] known, boolean sharePrefixes) {
        int b = set.examples(), k = set.candidates();
        if (set.maxLength() > model.config().contextLength()) {
            throw new IllegalArgumentException("scoring: a prefix + candidate of " + set.maxLength() + " tokens exceeds the context length " + model.config().contextLength());
        }
        int[][] counts = new int[b][k];
        for (int e = 0; e < b; e++) for (int j = 0; j < k; j++) counts[e][j] = set.continuation(e, j).length;
        boolean shared = sharePrefixes && !(model.gradientCheckpointing() && Autograd.isGradEnabled());
        ScoringPlan plan = shared ? ScoringPlan.shared(set, known) : ScoringPlan.of(set, known);
        Tensor sums = Tensor.of(plan.known(), b * k, 1);                     // (B·K, 1)
        boolean was = model.isTraining();
        model.setTraining(false);                                            // dropout off while scoring
        try {
            for (ScoringPlan.Group group : plan.groups()) {
                ScoringPlan.Prefixes p = group.prefixes();
                SharedPrefixes prefixes = p == null ? null : model.sharedPrefixes(p.ids(), p.lengths(), p.time());
                for (ScoringPlan.Bucket bucket : group.buckets()) {
                    int positions = bucket.rows() * bucket.time();
                    Tensor logits = prefixes == null ? model.logits(bucket.inputs(), bucket.rows(), bucket.time())                  // (R, T, V)
                            : model.logitsAfterPrefix(prefixes, bucket.inputs(), bucket.rows(), bucket.time(), bucket.prefixOf());
                    for (int l = 0; l < bucket.layers().size(); l++) {
                        Tensor perToken = F.tokenLogProbs(logits, bucket.layers().get(l)).reshape(positions, 1);   // (R·T, 1), 0 where ignored
                        Tensor select = Tensor.wrap(bucket.selections().get(l), b * k, positions);                 // (B·K, R·T) of 0/1
                        sums = F.add(sums, F.matmul(select, perToken));
                    }
                }
            }
        } finally {
            model.setTraining(was);
        }
        return new SequenceScores(sums.reshape(b, k), counts);
    }

    /** Scores without recording a graph (the frozen reference model, or evaluation). */
    public static SequenceScores scoreNoGrad(LanguageModel model, CandidateSet set) {
        return scoreNoGrad(model, set, null);
    }

    /** {@link #score(LanguageModel, CandidateSet, float[][])} without recording a graph. */
    public static SequenceScores scoreNoGrad(LanguageModel model, CandidateSet set, float[][] known) {
        return scoreNoGrad(model, set, known, false);
    }

    /** {@link #score(LanguageModel, CandidateSet, float[][], boolean)} without recording a graph. */
    public static SequenceScores scoreNoGrad(LanguageModel model, CandidateSet set, float[][] known, boolean sharePrefixes) {
        try (var scope = Autograd.noGrad()) {
            return score(model, set, known, sharePrefixes);
        }
    }
}
