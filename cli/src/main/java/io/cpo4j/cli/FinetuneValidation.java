package io.cpo4j.cli;

import io.cpo4j.cpo.loss.SequenceLoss;
import io.cpo4j.cpo.negatives.NegativeContext;
import io.cpo4j.cpo.negatives.NegativeMixer;
import io.cpo4j.cpo.score.CandidateSet;
import io.cpo4j.cpo.score.SequenceScorer;
import io.cpo4j.cpo.score.SequenceScores;
import io.cpo4j.cpo.train.FinetuneSpec;
import io.cpo4j.engine.Rng;
import io.cpo4j.model.data.TokenizedExample;
import io.cpo4j.model.gpt.Gpt;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Validation of a fine-tuning run: the policy's NLL per continuation token on the validation
 * examples ({@code val/nll}, {@code val/perplexity}; {@code val/loss} is the objective's loss
 * where it can be computed without gradients), and, for contrastive objectives, the rewards and
 * reward accuracy on the first validation batch with negatives drawn from a fixed seed
 * ({@code val/rewards/chosen}, {@code …/rejected}, {@code …/margins}, {@code …/accuracies}) —
 * the same candidates every time when they come from the frozen reference.
 */
final class FinetuneValidation implements Supplier<Map<String, Double>> {

    private final Gpt policy, reference;
    private final FinetuneSpec spec;
    private final List<TokenizedExample> examples;
    private final int batch, eos;
    private final long seed;

    FinetuneValidation(Gpt policy, Gpt reference, FinetuneSpec spec, List<TokenizedExample> examples, int batch, int eos, long seed) {
        this.policy = policy;
        this.reference = reference;
        this.spec = spec;
        this.examples = List.copyOf(examples);
        this.batch = batch;
        this.eos = eos;
        this.seed = seed;
    }

    @Override
    public Map<String, Double> get() {
        Map<String, Double> m = new LinkedHashMap<>();
        double nll = nll();
        if (spec.isContrastive()) {
            rewards(m);
        } else {
            m.put("val/loss", nll);
        }
        m.put("val/nll", nll);
        m.put("val/perplexity", Math.exp(nll));
        return m;
    }

    /** Σ −log π(truth token) / number of truth tokens, over all validation examples, in batches. */
    double nll() {
        double sum = 0;
        long tokens = 0;
        for (int from = 0; from < examples.size(); from += batch) {
            List<TokenizedExample> chunk = examples.subList(from, Math.min(examples.size(), from + batch));
            int[][] prefixes = new int[chunk.size()][];
            int[][][] truths = new int[chunk.size()][1][];
            for (int i = 0; i < chunk.size(); i++) {
                prefixes[i] = chunk.get(i).prefix();
                truths[i][0] = chunk.get(i).continuation();
            }
            SequenceScores s = SequenceScorer.scoreNoGrad(policy, new CandidateSet(prefixes, truths));
            float[] v = s.values();
            for (int i = 0; i < v.length; i++) {
                sum -= v[i];
                tokens += s.tokens()[i][0];
            }
        }
        return tokens == 0 ? Double.NaN : sum / tokens;
    }

    private void rewards(Map<String, Double> m) {
        List<TokenizedExample> first = examples.subList(0, Math.min(batch, examples.size()));
        int b = first.size(), k = spec.candidates();
        int[][] prefixes = new int[b][], truths = new int[b][];
        for (int i = 0; i < b; i++) {
            prefixes[i] = first.get(i).prefix();
            truths[i] = first.get(i).continuation();
        }
        NegativeMixer mixer = spec.mixer();
        Gpt sampler = reference != null ? reference : policy;
        CandidateSet set = mixer.build(prefixes, truths, k, spec.objective().equals("cpo-ranked"), new NegativeContext(policy, sampler, eos, new Rng(seed))).set();
        SequenceLoss loss = spec.loss();
        SequenceScores pol = SequenceScorer.scoreNoGrad(policy, set);
        double[] p = toDouble(pol.values());
        double[] q = loss.usesReference() ? toDouble(SequenceScorer.scoreNoGrad(reference, set).values()) : new double[p.length];
        double[] r = loss.rewards(p, q, pol.tokens(), b, k);
        double chosen = 0, rejected = 0, accurate = 0;
        for (int e = 0; e < b; e++) {
            double truth = r[e * k];
            boolean best = true;
            chosen += truth;
            for (int j = 1; j < k; j++) {
                rejected += r[e * k + j] / (k - 1);
                if (r[e * k + j] >= truth) best = false;
            }
            accurate += best ? 1 : 0;
        }
        m.put("val/loss", loss.evaluate(p, q, pol.tokens(), b, k).loss());
        m.put("val/rewards/chosen", chosen / b);
        m.put("val/rewards/rejected", rejected / b);
        m.put("val/rewards/margins", (chosen - rejected) / b);
        m.put("val/rewards/accuracies", accurate / b);
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }
}
