package io.cpo4j.cpo.score;

import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.ops.F;
import io.cpo4j.model.lm.LanguageModel;

/**
 * Scores candidate continuations in batched forward passes: each row is prefix + candidate,
 * right-padded to the longest row of its pass; only the candidate's tokens (the end-of-text token
 * included) are counted — prefix and padding positions get an ignored target. Right padding needs
 * no attention mask: causal attention never looks forward into it. Dropout is off while scoring,
 * in training too.
 *
 * <p>The {@link ScoringPlan} decides the rows: candidates that are a prefix of another (up to their
 * last token) are read from its row, rows are grouped by length, and candidates whose score is
 * already known get no row.
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
        int b = set.examples(), k = set.candidates();
        if (set.maxLength() > model.config().contextLength()) {
            throw new IllegalArgumentException("scoring: a prefix + candidate of " + set.maxLength() + " tokens exceeds the context length " + model.config().contextLength());
        }
        int[][] counts = new int[b][k];
        for (int e = 0; e < b; e++) for (int j = 0; j < k; j++) counts[e][j] = set.continuation(e, j).length;
        ScoringPlan plan = ScoringPlan.of(set, known);
        Tensor sums = Tensor.of(plan.known(), b * k, 1);                     // (B·K, 1)
        boolean was = model.isTraining();
        model.setTraining(false);                                            // dropout off while scoring
        try {
            for (ScoringPlan.Bucket bucket : plan.buckets()) {
                PaddedRows rows = bucket.rows();
                int positions = rows.rows() * rows.time();
                Tensor logits = model.logits(rows.inputs(), rows.rows(), rows.time());       // (R, T, V)
                for (int l = 0; l < bucket.layers().size(); l++) {
                    Tensor perToken = F.tokenLogProbs(logits, bucket.layers().get(l)).reshape(positions, 1);   // (R·T, 1), 0 where ignored
                    Tensor select = Tensor.wrap(bucket.selections().get(l), b * k, positions);                 // (B·K, R·T) of 0/1
                    sums = F.add(sums, F.matmul(select, perToken));
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
        try (var scope = Autograd.noGrad()) {
            return score(model, set, known);
        }
    }
}
