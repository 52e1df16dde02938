package io.cpo4j.cpo.score;

import io.cpo4j.engine.Tensor;

/**
 * Log-probabilities of every candidate of a {@link CandidateSet}: {@code sums} (B, K) is
 * Σ log π(y_t | x, y_<t) over the continuation's tokens — a tensor, so losses built on it
 * backpropagate into the model — and {@code tokens[b][k]} counts them, for per-token means.
 */
public record SequenceScores(Tensor sums, int[][] tokens) {

    /** The sums as plain numbers (B·K, row-major). */
    public float[] values() {
        return sums.toArray();
    }

    /** Σ log π / number of tokens, per candidate (B·K, row-major). */
    public float[] means() {
        float[] s = values();
        int k = tokens[0].length;
        float[] m = new float[s.length];
        for (int i = 0; i < s.length; i++) m[i] = s[i] / tokens[i / k][i % k];
        return m;
    }
}
