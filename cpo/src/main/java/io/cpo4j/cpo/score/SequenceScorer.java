package io.cpo4j.cpo.score;

import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.ops.F;
import io.cpo4j.model.gpt.Gpt;

/**
 * Scores candidate continuations in one batched forward pass over B·K rows: each row is
 * prefix + candidate, right-padded to the longest row; only the candidate's tokens (the
 * end-of-text token included) are counted — prefix and padding positions get an ignored target.
 * Right padding needs no attention mask: causal attention never looks forward into it.
 * Dropout is off while scoring, in training too.
 */
public final class SequenceScorer {

    private SequenceScorer() {}

    /** Scores with gradients flowing into {@code model}'s parameters (when grad is enabled). */
    public static SequenceScores score(Gpt model, CandidateSet set) {
        int b = set.examples(), k = set.candidates(), rows = b * k, t = set.maxLength() - 1;
        if (t + 1 > model.config().contextLength()) {
            throw new IllegalArgumentException("scoring: a prefix + candidate of " + (t + 1) + " tokens exceeds the context length " + model.config().contextLength());
        }
        int[][] prefixes = new int[rows][], conts = new int[rows][];
        int[][] counts = new int[b][k];
        for (int e = 0; e < b; e++) {
            for (int j = 0; j < k; j++) {
                prefixes[e * k + j] = set.prefix(e);
                conts[e * k + j] = set.continuation(e, j);
                counts[e][j] = set.continuation(e, j).length;
            }
        }
        PaddedRows padded = PaddedRows.of(prefixes, conts);
        int[] inputs = padded.inputs(), targets = padded.targets();
        boolean was = model.isTraining();
        model.setTraining(false);                                            // dropout off while scoring
        Tensor logits;
        try {
            logits = model.logits(inputs, rows, t);                          // (B·K, T, V)
        } finally {
            model.setTraining(was);
        }
        Tensor perToken = F.tokenLogProbs(logits, targets);                  // (B·K, T), 0 where ignored
        Tensor sums = perToken.sum(1, false).reshape(b, k);                  // (B, K)
        return new SequenceScores(sums, counts);
    }

    /** Scores without recording a graph (the frozen reference model, or evaluation). */
    public static SequenceScores scoreNoGrad(Gpt model, CandidateSet set) {
        try (var scope = Autograd.noGrad()) {
            return score(model, set);
        }
    }
}
