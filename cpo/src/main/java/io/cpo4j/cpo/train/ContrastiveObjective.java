package io.cpo4j.cpo.train;

import io.cpo4j.model.data.TokenizedExample;
import io.cpo4j.cpo.loss.SequenceLoss;
import io.cpo4j.cpo.loss.WithNll;
import io.cpo4j.cpo.negatives.NegativeContext;
import io.cpo4j.cpo.negatives.NegativeMixer;
import io.cpo4j.cpo.score.CandidateSet;
import io.cpo4j.cpo.score.SequenceScorer;
import io.cpo4j.cpo.score.SequenceScores;
import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.Rng;
import io.cpo4j.engine.Tensor;
import io.cpo4j.model.lm.LanguageModel;
import io.cpo4j.model.train.Objective;
import io.cpo4j.model.train.PhaseClock;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sequence-level contrastive training (CPO plain or ranked, DPO, Xu's CPO, SimPO): for every
 * batch, negatives are made for each (prefix, truth) pair, the frozen reference scores the
 * candidate set once without a graph (skipping negatives it sampled itself, whose log-probabilities
 * the sampler recorded), the policy scores it with one, and the loss's gradient flows back into
 * the policy. Only the policy's activations are ever held.
 *
 * <p>Metrics carry TRL's names: {@code loss}, {@code nll_loss} (the truth's per-token NLL, logged
 * whatever its weight), {@code rewards/chosen}, {@code rewards/rejected} (mean over negatives),
 * {@code rewards/margins}, {@code rewards/accuracies} (truth above every negative),
 * {@code logps/chosen} and {@code logps/rejected} (the policy's summed log-probabilities), plus
 * {@code truth_rank} (1 = best of K) and, per generator g, {@code rewards/rejected/g} and
 * {@code rewards/accuracies/g} (truth above that generator's negatives). Built by
 * {@link CpoConfig#objective}.
 */
final class ContrastiveObjective implements Objective {

    private final LanguageModel policy;
    private final LanguageModel reference;
    private final LanguageModel sampler;
    private final SequenceLoss loss;
    private final NegativeMixer negatives;
    private final ExampleSource data;
    private final int candidates;
    private final int eos;
    private final boolean rescore;
    private final boolean sharePrefixes;
    /** The reference's log-probabilities of the truths, kept across steps (null unless CpoConfig#precomputeRefLogProbs). */
    private final ReferenceTruths referenceTruths;
    private final Rng rng;
    private final PhaseClock clock = new PhaseClock();
    private long lastTokens;

    /**
     * @param reference the frozen reference model the loss compares against, or null for a reference-free loss
     * @param frozen    the frozen model negatives may be sampled from (usually the reference; may be null)
     */
    ContrastiveObjective(LanguageModel policy, LanguageModel reference, CpoConfig config, ExampleSource data, long seed, LanguageModel frozen) {
        this.loss = config.loss();
        if (loss.usesReference() && reference == null) throw new IllegalArgumentException(loss.name() + " needs a reference model");
        this.policy = policy;
        this.reference = reference;
        this.sampler = frozen != null ? frozen : reference;
        this.negatives = config.negativeMixer();
        this.data = data;
        this.candidates = config.candidates();
        this.eos = config.eosToken();
        this.rescore = config.rescoreNegatives();
        this.sharePrefixes = config.sharePrefixes();
        this.referenceTruths = config.precomputeRefLogProbs() && this.reference != null ? new ReferenceTruths(this.reference) : null;
        this.rng = new Rng(seed);
    }

    @Override
    public Map<String, Double> accumulate(int batch, int microBatches) {
        Averages sums = new Averages();
        long tokens = 0;
        float[] weight = {1f / microBatches};
        clock.reset();
        for (int m = 0; m < microBatches; m++) {
            clock.start("sampling");
            List<TokenizedExample> examples = data.next(batch);
            int[][] prefixes = new int[batch][], truths = new int[batch][];
            for (int b = 0; b < batch; b++) {
                prefixes[b] = examples.get(b).prefix();
                truths[b] = examples.get(b).continuation();
            }
            NegativeMixer.Mixed mixed = negatives.build(prefixes, truths, candidates, loss.ranked(), new NegativeContext(policy, sampler, eos, rng));
            CandidateSet set = mixed.set();
            clock.start("scoring");
            // negatives sampled from the reference already carry its log-probabilities: only the rest are scored,
            // unless asked to score them again (then a policy equal to its reference starts at rewards of exactly 0)
            float[][] known = sampler == reference && !rescore ? mixed.referenceLogProbs() : null;
            if (referenceTruths != null) {
                long before = referenceTruths.reused();
                known = referenceTruths.withTruths(examples, known, candidates);
                sums.add("ref_truths_reused", (double) (referenceTruths.reused() - before) / batch);
            }
            SequenceScores ref = reference == null ? null : SequenceScorer.scoreNoGrad(reference, set, known, sharePrefixes);
            SequenceScores pol = SequenceScorer.score(policy, set, null, sharePrefixes);
            Tensor value = loss.apply(pol, ref);
            sums.add("loss", value.item());
            metrics(sums, batch, pol, ref, mixed.sources());
            clock.start("backward");
            Autograd.backwardAndRecycle(value, weight);             // nothing of the graph is read after this
            clock.stop();
            for (int b = 0; b < batch; b++) for (int k = 0; k < candidates; k++) tokens += set.prefix(b).length + set.continuation(b, k).length - 1;
        }
        lastTokens = tokens;
        return sums.means();
    }

    /** Sums and counts per metric name, in first-seen order; a metric is averaged over the micro-batches that reported it. */
    private static final class Averages {
        private final Map<String, double[]> values = new LinkedHashMap<>();

        void add(String key, double v) {
            double[] a = values.computeIfAbsent(key, x -> new double[2]);
            a[0] += v;
            a[1]++;
        }

        Map<String, Double> means() {
            Map<String, Double> out = new LinkedHashMap<>();
            values.forEach((k, a) -> out.put(k, a[0] / a[1]));
            return out;
        }
    }

    private void metrics(Averages sums, int b, SequenceScores pol, SequenceScores ref, String[][] sources) {
        int k = candidates;
        double[] p = toDouble(pol.values()), q = ref == null ? new double[p.length] : toDouble(ref.values());
        double[] r = loss.rewards(p, q, pol.tokens(), b, k);
        RewardStats stats = RewardStats.of(r, b, k);
        double logpChosen = 0, logpRejected = 0;
        Map<String, double[]> perGen = new LinkedHashMap<>();          // name → {Σ rejected, count, Σ accurate, examples}
        for (int e = 0; e < b; e++) {
            double truth = r[e * k];
            logpChosen += p[e * k];
            Map<String, boolean[]> beatsAll = new LinkedHashMap<>();
            for (int j = 1; j < k; j++) {
                double rj = r[e * k + j];
                logpRejected += p[e * k + j] / (k - 1);
                double[] g = perGen.computeIfAbsent(sources[e][j], x -> new double[4]);
                g[0] += rj;
                g[1]++;
                beatsAll.computeIfAbsent(sources[e][j], x -> new boolean[] {true})[0] &= rj < truth;
            }
            for (Map.Entry<String, boolean[]> be : beatsAll.entrySet()) {
                double[] g = perGen.get(be.getKey());
                g[2] += be.getValue()[0] ? 1 : 0;
                g[3]++;
            }
        }
        sums.add("nll_loss", WithNll.nll(p, pol.tokens(), b, k));
        sums.add("rewards/chosen", stats.chosen());
        sums.add("rewards/rejected", stats.rejected());
        sums.add("rewards/margins", stats.margins());
        sums.add("rewards/accuracies", stats.accuracies());
        sums.add("logps/chosen", logpChosen / b);
        sums.add("logps/rejected", logpRejected / b);
        sums.add("truth_rank", stats.truthRank());
        for (Map.Entry<String, double[]> g : perGen.entrySet()) {
            double[] v = g.getValue();
            sums.add("rewards/rejected/" + g.getKey(), v[0] / v[1]);
            sums.add("rewards/accuracies/" + g.getKey(), v[2] / v[3]);
        }
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    /** {@code sampling} (making the negatives), {@code scoring} (reference and policy forward, loss) and {@code backward}. */
    @Override
    public Map<String, Double> lastPhaseSeconds() {
        return clock.seconds();
    }

    @Override
    public int rowsPerExample() {
        return candidates;
    }

    @Override
    public long lastTokens() {
        return lastTokens;
    }

    @Override
    public Map<String, Long> state() {
        return Map.of("data", data.state(), "negatives", rng.state());
    }

    @Override
    public void restore(Map<String, Long> state) {
        if (!state.containsKey("data") || !state.containsKey("negatives")) throw new IllegalArgumentException("contrastive state needs data and negatives positions");
        data.setState(state.get("data"));
        rng.setState(state.get("negatives"));
    }
}
