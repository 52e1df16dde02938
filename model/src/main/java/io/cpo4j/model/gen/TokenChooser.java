package io.cpo4j.model.gen;

import io.cpo4j.engine.Rng;

import java.util.Arrays;

/**
 * Applies a {@link Sampling} to one row of logits and draws a token. Works on a copy; the
 * history is the prompt followed by what was generated so far.
 */
final class TokenChooser {

    private TokenChooser() {}

    /** The chosen token, drawn with {@code rng} (unused when greedy). */
    static int choose(float[] logits, int off, int vocab, int[] history, int historyLength, Sampling s, Rng rng) {
        float[] z = Arrays.copyOfRange(logits, off, off + vocab);
        if (s.repetitionPenalty() != 1f) applyRepetitionPenalty(z, history, historyLength, s.repetitionPenalty());
        if (s.noRepeatNgramSize() > 0) banRepeatedNgrams(z, history, historyLength, s.noRepeatNgramSize());
        if (s.decodesGreedily()) return argmax(z);
        double[] p = allowedProbabilities(z, s);
        double u = rng.nextDouble(), cum = 0;
        int lastAllowed = -1;
        for (int i = 0; i < vocab; i++) {
            if (p[i] <= 0) continue;
            lastAllowed = i;
            cum += p[i];
            if (u < cum) return i;
        }
        return lastAllowed;                              // u within rounding of 1
    }

    /** The normalised distribution after temperature, top-k, top-p and min-p; zero outside the kept set. */
    static double[] allowedProbabilities(float[] logits, Sampling s) {
        int v = logits.length;
        double[] p = new double[v];
        double max = Double.NEGATIVE_INFINITY;
        for (float x : logits) max = Math.max(max, x / s.temperature());
        if (max == Double.NEGATIVE_INFINITY || max == Double.POSITIVE_INFINITY) {
            // logits / T overflowed the float range (tiny T or huge logits): the distribution is
            // one-hot at the argmax, not NaN. Every token banned still has no answer.
            int best = argmax(logits);
            if (logits[best] == Float.NEGATIVE_INFINITY) throw new IllegalStateException("sampling: every token is banned");
            p[best] = 1;
            return p;
        }
        double sum = 0;
        for (int i = 0; i < v; i++) {
            p[i] = logits[i] == Float.NEGATIVE_INFINITY ? 0 : Math.exp(logits[i] / s.temperature() - max);
            sum += p[i];
        }
        for (int i = 0; i < v; i++) p[i] /= sum;
        if (s.topK() > 0 && s.topK() < v) keepTopK(p, s.topK());
        if (s.topP() < 1f) keepNucleus(p, s.topP());
        if (s.minP() > 0f) {
            double best = 0;
            for (double x : p) best = Math.max(best, x);
            for (int i = 0; i < v; i++) if (p[i] < s.minP() * best) p[i] = 0;
        }
        double kept = 0;
        for (double x : p) kept += x;
        for (int i = 0; i < v; i++) p[i] /= kept;
        return p;
    }

    /** Zeroes everything below the k-th largest probability (ties with it are kept, as HuggingFace does). */
    private static void keepTopK(double[] p, int k) {
        double[] sorted = p.clone();
        Arrays.sort(sorted);
        double threshold = sorted[sorted.length - k];
        for (int i = 0; i < p.length; i++) if (p[i] < threshold) p[i] = 0;
    }

    /** Keeps the most likely tokens until their mass reaches topP (at least one token). */
    private static void keepNucleus(double[] p, float topP) {
        Integer[] order = new Integer[p.length];
        for (int i = 0; i < p.length; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> p[a] != p[b] ? Double.compare(p[b], p[a]) : Integer.compare(a, b));
        double total = 0;
        for (double x : p) total += x;
        double cum = 0;
        int keep = 0;
        while (keep < order.length && cum < topP * total) cum += p[order[keep++]];
        for (int j = Math.max(keep, 1); j < order.length; j++) p[order[j]] = 0;
    }

    private static void applyRepetitionPenalty(float[] z, int[] history, int n, float penalty) {
        boolean[] seen = new boolean[z.length];
        for (int i = 0; i < n; i++) seen[history[i]] = true;
        for (int t = 0; t < z.length; t++) {
            if (seen[t]) z[t] = z[t] > 0 ? z[t] / penalty : z[t] * penalty;
        }
    }

    /** Bans every token that would complete an n-gram already in the history (HuggingFace's no_repeat_ngram_size). */
    private static void banRepeatedNgrams(float[] z, int[] history, int n, int size) {
        if (n + 1 < size) return;
        int prefixStart = n - (size - 1);
        for (int start = 0; start + size <= n; start++) {
            boolean match = true;
            for (int j = 0; j < size - 1 && match; j++) match = history[start + j] == history[prefixStart + j];
            if (match) z[history[start + size - 1]] = Float.NEGATIVE_INFINITY;
        }
    }

    static int argmax(float[] z) {
        int best = 0;
        for (int i = 1; i < z.length; i++) if (z[i] > z[best]) best = i;
        return best;
    }

    /** log softmax(row)[token], in double. */
    static float logProb(float[] logits, int off, int vocab, int token) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) max = Math.max(max, logits[off + i]);
        double sum = 0;
        for (int i = 0; i < vocab; i++) sum += Math.exp(logits[off + i] - max);
        return (float) (logits[off + token] - max - Math.log(sum));
    }
}
