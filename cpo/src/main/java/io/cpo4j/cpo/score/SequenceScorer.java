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
        int[] inputs = new int[rows * t], targets = new int[rows * t];
        java.util.Arrays.fill(targets, -1);
        int[][] counts = new int[b][k];
        for (int e = 0; e < b; e++) {
            int[] prefix = set.prefix(e);
            for (int j = 0; j < k; j++) {
                int[] cont = set.continuation(e, j);
                int row = (e * k + j) * t, len = prefix.length + cont.length;
                for (int p = 0; p < len - 1; p++) inputs[row + p] = p < prefix.length ? prefix[p] : cont[p - prefix.length];
                // position p predicts token p+1; count the continuation's tokens only
                for (int p = prefix.length - 1; p < len - 1; p++) targets[row + p] = cont[p + 1 - prefix.length];
                counts[e][j] = cont.length;
            }
        }
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
