package io.cpo4j.cli;

import io.cpo4j.cpo.loss.SequenceLoss;
import io.cpo4j.cpo.negatives.NegativeContext;
import io.cpo4j.cpo.negatives.NegativeMixer;
import io.cpo4j.cpo.score.CandidateSet;
import io.cpo4j.cpo.score.ContinuationLikelihood;
import io.cpo4j.cpo.score.SequenceScorer;
import io.cpo4j.cpo.score.SequenceScores;
import io.cpo4j.cpo.train.CpoConfig;
import io.cpo4j.cpo.train.RewardStats;
import io.cpo4j.engine.Rng;
import io.cpo4j.model.data.TokenizedExample;
import io.cpo4j.model.lm.LanguageModel;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Validation of a fine-tuning run: the policy's NLL per continuation token on the validation
 * examples ({@code val/nll_loss}, {@code val/perplexity}; {@code val/loss} is the objective's loss
 * where it can be computed without gradients), and, for contrastive objectives, the rewards and
 * reward accuracy on the first validation batch with negatives drawn from a fixed seed
 * ({@code val/rewards/chosen}, {@code …/rejected}, {@code …/margins}, {@code …/accuracies}) —
 * the same candidates every time when they come from the frozen reference.
 */
final class FinetuneValidation implements Supplier<Map<String, Double>> {

    private final LanguageModel policy, reference;
    private final CpoConfig spec;
    private final List<TokenizedExample> examples;
    private final int batch, eos;
    private final long seed;

    /** Validation in batches of the recipe's batch size; {@code reference} is the frozen model, null when the recipe needs none. */
    FinetuneValidation(LanguageModel policy, LanguageModel reference, CpoConfig spec, List<TokenizedExample> examples, long seed) {
        this.policy = policy;
        this.reference = reference;
        this.spec = spec;
        this.examples = List.copyOf(examples);
        this.batch = spec.training().batchSize();
        this.eos = spec.eosToken();
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
        m.put("val/nll_loss", nll);
        m.put("val/perplexity", Math.exp(nll));
        return m;
    }

    /** Σ −log π(truth token) / number of truth tokens, over all validation examples, in batches. */
    double nll() {
        return ContinuationLikelihood.of(policy, examples, batch).perToken();
    }

    private void rewards(Map<String, Double> m) {
        List<TokenizedExample> first = examples.subList(0, Math.min(batch, examples.size()));
        int b = first.size(), k = spec.candidates();
        int[][] prefixes = new int[b][], truths = new int[b][];
        for (int i = 0; i < b; i++) {
            prefixes[i] = first.get(i).prefix();
            truths[i] = first.get(i).continuation();
        }
        NegativeMixer mixer = spec.negativeMixer();
        LanguageModel sampler = reference != null ? reference : policy;
        SequenceLoss loss = spec.loss();
        CandidateSet set = mixer.build(prefixes, truths, k, loss.ranked(), new NegativeContext(policy, sampler, eos, new Rng(seed))).set();
        SequenceScores pol = SequenceScorer.scoreNoGrad(policy, set);
        double[] p = toDouble(pol.values());
        double[] q = loss.usesReference() ? toDouble(SequenceScorer.scoreNoGrad(reference, set).values()) : new double[p.length];
        double[] r = loss.rewards(p, q, pol.tokens(), b, k);
        RewardStats stats = RewardStats.of(r, b, k);
        m.put("val/loss", loss.evaluate(p, q, pol.tokens(), b, k).loss());
        m.put("val/rewards/chosen", stats.chosen());
        m.put("val/rewards/rejected", stats.rejected());
        m.put("val/rewards/margins", stats.margins());
        m.put("val/rewards/accuracies", stats.accuracies());
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }
}
