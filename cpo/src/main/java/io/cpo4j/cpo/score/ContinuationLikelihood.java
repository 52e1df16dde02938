package io.cpo4j.cpo.score;

import io.cpo4j.model.data.TokenizedExample;
import io.cpo4j.model.lm.LanguageModel;

import java.util.List;

/**
 * How likely a model finds the true continuations of held-out examples: per example, the
 * continuation's summed negative log-likelihood and its token count, scored in batches without a
 * graph (the fine-tunes' validation figure and the experiments' perplexity).
 */
public final class ContinuationLikelihood {

    /** Per-example NLL sums and token counts. */
    public record Scores(double[] nll, double[] tokens) {
        /** Total NLL over total tokens. */
        public double perToken() {
            double s = 0, n = 0;
            for (int i = 0; i < nll.length; i++) {
                s += nll[i];
                n += tokens[i];
            }
            return s / n;
        }
    }

    private ContinuationLikelihood() {}

    public static Scores of(LanguageModel model, List<TokenizedExample> examples) {
        return of(model, examples, 32);
    }

    /** The same, scoring {@code batch} examples per forward pass. */
    public static Scores of(LanguageModel model, List<TokenizedExample> examples, int batch) {
        double[] nll = new double[examples.size()], tokens = new double[examples.size()];
        for (int from = 0; from < examples.size(); from += batch) {
            List<TokenizedExample> part = examples.subList(from, Math.min(examples.size(), from + batch));
            int[][] prefixes = new int[part.size()][];
            int[][][] conts = new int[part.size()][1][];
            for (int i = 0; i < part.size(); i++) {
                prefixes[i] = part.get(i).prefix();
                conts[i][0] = part.get(i).continuation();
            }
            SequenceScores s = SequenceScorer.scoreNoGrad(model, new CandidateSet(prefixes, conts));
            float[] sums = s.values();
            for (int i = 0; i < part.size(); i++) {
                nll[from + i] = -sums[i];
                tokens[from + i] = s.tokens()[i][0];
            }
        }
        return new Scores(nll, tokens);
    }
}
