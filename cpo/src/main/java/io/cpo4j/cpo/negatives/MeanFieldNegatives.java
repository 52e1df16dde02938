package io.cpo4j.cpo.negatives;

import io.cpo4j.engine.Autograd;
import io.cpo4j.model.lm.LanguageModel;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Mean-field negatives: a fraction {@code c} of the truth's positions replaced by the model's own
 * most likely token given the true prefix (excluding the true token), all positions predicted in
 * one parallel teacher-forced forward pass. The model is the policy being trained.
 */
public final class MeanFieldNegatives implements NegativeGenerator {

    /** c = 0.15: our choice (the paper's value could not be retrieved). */
    public static final double DEFAULT_FRACTION = 0.15;

    private final double fraction;

    public MeanFieldNegatives(double fraction) {
        if (!(fraction > 0 && fraction <= 1)) throw new IllegalArgumentException("mean-field fraction must be in (0, 1], got " + fraction);
        this.fraction = fraction;
    }

    /** {@link #DEFAULT_FRACTION}. */
    public MeanFieldNegatives() {
        this(DEFAULT_FRACTION);
    }

    @Override
    public String name() {
        return "meanfield";
    }

    @Override
    public Map<String, Object> options() {
        return Map.of("meanfield_fraction", fraction);
    }

    @Override
    public List<List<int[]>> generate(int[][] prefixes, int[][] truths, int count, NegativeContext ctx) {
        int[][] alternatives = alternatives(ctx.policy(), prefixes, truths);
        List<List<int[]>> out = new ArrayList<>();
        for (int b = 0; b < truths.length; b++) {
            int[] truth = truths[b];
            List<int[]> negs = new ArrayList<>();
            int replace = Math.max(1, (int) Math.round(fraction * truth.length));
            for (int n = 0; n < count; n++) {
                int[] neg = truth.clone();
                int[] order = permutation(truth.length, ctx);
                for (int j = 0; j < replace; j++) neg[order[j]] = alternatives[b][order[j]];
                negs.add(neg);
            }
            out.add(negs);
        }
        return out;
    }

    /**
     * For every example and truth position: the model's most likely token other than the true
     * one, given the true prefix — all examples in one teacher-forced forward over (B, T) rows,
     * right-padded.
     */
    static int[][] alternatives(LanguageModel model, int[][] prefixes, int[][] truths) {
        int b = truths.length, v = model.config().vocabSize(), t = 0;
        for (int e = 0; e < b; e++) t = Math.max(t, prefixes[e].length + truths[e].length - 1);
        int[] input = new int[b * t];
        for (int e = 0; e < b; e++) {
            for (int p = 0; p < prefixes[e].length + truths[e].length - 1; p++) {
                input[e * t + p] = p < prefixes[e].length ? prefixes[e][p] : truths[e][p - prefixes[e].length];
            }
        }
        float[] logits;
        boolean was = model.isTraining();
        model.setTraining(false);
        try (var scope = Autograd.noGrad()) {
            logits = model.logits(input, b, t).toArray();                     // (B, T, V)
        } finally {
            model.setTraining(was);
        }
        int[][] alt = new int[b][];
        for (int e = 0; e < b; e++) {
            alt[e] = new int[truths[e].length];
            for (int i = 0; i < truths[e].length; i++) {
                int row = (e * t + prefixes[e].length - 1 + i) * v, best = -1;
                for (int tok = 0; tok < v; tok++) {
                    if (tok != truths[e][i] && (best < 0 || logits[row + tok] > logits[row + best])) best = tok;
                }
                alt[e][i] = best;
            }
        }
        return alt;
    }

    private static int[] permutation(int n, NegativeContext ctx) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = ctx.rng().nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
