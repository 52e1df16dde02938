package io.cpo4j.cpo.train;

import io.cpo4j.cpo.loss.DpoLoss;
import io.cpo4j.cpo.loss.PlainCpoLoss;
import io.cpo4j.cpo.loss.RankedCpoLoss;
import io.cpo4j.cpo.loss.SequenceLoss;
import io.cpo4j.cpo.loss.SimpoLoss;
import io.cpo4j.cpo.loss.WithNll;
import io.cpo4j.cpo.loss.XuCpoLoss;
import io.cpo4j.cpo.negatives.AutoregressiveNegatives;
import io.cpo4j.cpo.negatives.BatchNegatives;
import io.cpo4j.cpo.negatives.MeanFieldNegatives;
import io.cpo4j.cpo.negatives.NegativeGenerator;
import io.cpo4j.cpo.negatives.NegativeMixer;
import io.cpo4j.cpo.negatives.TruncationNegatives;
import io.cpo4j.model.gen.Sampling;
import io.cpo4j.model.gpt.Gpt;
import io.cpo4j.model.train.Objective;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A fine-tuning recipe: which objective, which negatives, and their knobs — the one place that
 * turns the names the CLI and the demo use into objects.
 *
 * @param objective          cpo, cpo-ranked, dpo, cpo-xu, simpo, mle, pss
 * @param negatives          autoregressive, batch, meanfield, truncation (shared round-robin)
 * @param candidates         K: the truth plus K−1 negatives (2 for dpo, cpo-xu and simpo)
 * @param beta               reward scale β (TRL's beta)
 * @param nllWeight          weight of the truth's NLL added to cpo / cpo-ranked / dpo (0 = off)
 * @param negativesFromPolicy autoregressive negatives from the policy being trained instead of the frozen reference
 * @param negativeSampling   sampling of autoregressive negatives
 * @param meanFieldFraction  share of truth positions a mean-field negative replaces
 * @param pssMix             Parallel Scheduled Sampling's probability of replacing an input token
 * @param simpoGamma         SimPO's target margin γ
 * @param xuAlpha            weight of the NLL term of Xu et al.'s CPO (TRL's cpo_alpha)
 */
public record FinetuneSpec(String objective, List<String> negatives, int candidates, double beta, double nllWeight,
                           boolean negativesFromPolicy, Sampling negativeSampling, double meanFieldFraction, double pssMix,
                           double simpoGamma, double xuAlpha) {

    public static final List<String> OBJECTIVES = List.of("cpo", "cpo-ranked", "dpo", "cpo-xu", "simpo", "mle", "pss");
    public static final List<String> NEGATIVES = List.of("autoregressive", "batch", "meanfield", "truncation");

    public FinetuneSpec {
        if (!OBJECTIVES.contains(objective)) throw new IllegalArgumentException("unknown objective '" + objective + "'; choose one of " + OBJECTIVES);
        negatives = List.copyOf(negatives);
        for (String n : negatives) {
            if (!NEGATIVES.contains(n)) throw new IllegalArgumentException("unknown negatives '" + n + "'; choose from " + NEGATIVES);
        }
        boolean contrastive = contrastive(objective);
        if (contrastive && negatives.isEmpty()) throw new IllegalArgumentException(objective + " needs at least one negative generator");
        if (pairwise(objective)) candidates = 2;
        if (contrastive && candidates < 2) throw new IllegalArgumentException("K must be at least 2, got " + candidates);
        if (!(beta > 0)) throw new IllegalArgumentException("beta must be positive, got " + beta);
        if (nllWeight < 0) throw new IllegalArgumentException("the NLL weight must be >= 0, got " + nllWeight);
    }

    /** Sequence-level CPO with autoregressive negatives, K = 4, β = 0.1. */
    public static FinetuneSpec defaults() {
        return new FinetuneSpec("cpo", List.of("autoregressive"), 4, 0.1, 0.0, false, Sampling.temperature(1f), 0.15, 0.25, 1.0, 1.0);
    }

    public FinetuneSpec withObjective(String o) {
        return new FinetuneSpec(o, negatives, candidates, beta, nllWeight, negativesFromPolicy, negativeSampling, meanFieldFraction, pssMix, simpoGamma, xuAlpha);
    }

    public FinetuneSpec withNegatives(List<String> n) {
        return new FinetuneSpec(objective, n, candidates, beta, nllWeight, negativesFromPolicy, negativeSampling, meanFieldFraction, pssMix, simpoGamma, xuAlpha);
    }

    public FinetuneSpec withCandidates(int k) {
        return new FinetuneSpec(objective, negatives, k, beta, nllWeight, negativesFromPolicy, negativeSampling, meanFieldFraction, pssMix, simpoGamma, xuAlpha);
    }

    public FinetuneSpec withBeta(double b) {
        return new FinetuneSpec(objective, negatives, candidates, b, nllWeight, negativesFromPolicy, negativeSampling, meanFieldFraction, pssMix, simpoGamma, xuAlpha);
    }

    public FinetuneSpec withNllWeight(double w) {
        return new FinetuneSpec(objective, negatives, candidates, beta, w, negativesFromPolicy, negativeSampling, meanFieldFraction, pssMix, simpoGamma, xuAlpha);
    }

    public FinetuneSpec withNegativesFromPolicy(boolean fromPolicy) {
        return new FinetuneSpec(objective, negatives, candidates, beta, nllWeight, fromPolicy, negativeSampling, meanFieldFraction, pssMix, simpoGamma, xuAlpha);
    }

    /**
     * A recipe from its short form {@code objective[:negatives[:k[:beta[:nll]]]]}, e.g.
     * {@code cpo:autoregressive+truncation:4:0.1:1} (negatives joined by '+'); omitted parts keep the defaults.
     */
    public static FinetuneSpec parse(String shortForm) {
        String[] p = shortForm.split(":");
        FinetuneSpec s = defaults().withObjective(p[0]);
        if (p.length > 1 && !p[1].isEmpty()) s = s.withNegatives(List.of(p[1].split("\\+")));
        if (p.length > 2) s = s.withCandidates(Integer.parseInt(p[2]));
        if (p.length > 3) s = s.withBeta(Double.parseDouble(p[3]));
        if (p.length > 4) s = s.withNllWeight(Double.parseDouble(p[4]));
        if (p.length > 5) throw new IllegalArgumentException("recipe '" + shortForm + "' has more than objective:negatives:k:beta:nll");
        return s;
    }

    /** Whether the objective contrasts candidates (everything but mle and pss). */
    public boolean isContrastive() {
        return contrastive(objective);
    }

    private static boolean contrastive(String objective) {
        return !objective.equals("mle") && !objective.equals("pss");
    }

    private static boolean pairwise(String objective) {
        return objective.equals("dpo") || objective.equals("cpo-xu") || objective.equals("simpo");
    }

    /** Whether a frozen reference model is needed (as the loss's reference, or to sample negatives from). */
    public boolean needsReference() {
        if (!isContrastive()) return false;
        return loss().usesReference() || (negatives.contains("autoregressive") && !negativesFromPolicy);
    }

    public SequenceLoss loss() {
        SequenceLoss base = switch (objective) {
            case "cpo" -> new PlainCpoLoss(beta);
            case "cpo-ranked" -> new RankedCpoLoss(beta);
            case "dpo" -> new DpoLoss(beta);
            case "cpo-xu" -> new XuCpoLoss(beta, xuAlpha);
            case "simpo" -> new SimpoLoss(beta, simpoGamma);
            default -> throw new IllegalStateException(objective + " is not a contrastive objective");
        };
        return nllWeight > 0 && base.usesReference() ? new WithNll(base, nllWeight) : base;
    }

    public NegativeMixer mixer() {
        List<NegativeGenerator> gens = new ArrayList<>();
        for (String n : negatives) {
            gens.add(switch (n) {
                case "autoregressive" -> new AutoregressiveNegatives(negativeSampling, negativesFromPolicy, 1.5);
                case "batch" -> new BatchNegatives();
                case "meanfield" -> new MeanFieldNegatives(meanFieldFraction);
                case "truncation" -> new TruncationNegatives();
                default -> throw new IllegalStateException(n);
            });
        }
        return new NegativeMixer(gens);
    }

    /** The objective over {@code data} in batches of {@code batch} examples; {@code reference} may be null when not {@link #needsReference()}. */
    public Objective objective(Gpt policy, Gpt reference, ExampleSource data, int batch, int eos, long seed) {
        return switch (objective) {
            case "mle" -> new SftObjective(policy, data, batch);
            case "pss" -> new PssObjective(policy, data, batch, pssMix, seed);
            default -> {
                if (needsReference() && reference == null) throw new IllegalArgumentException(objective + " needs a reference model");
                SequenceLoss loss = loss();
                yield new ContrastiveObjective(policy, loss.usesReference() ? reference : null, loss, mixer(), data, batch, candidates,
                        objective.equals("cpo-ranked"), eos, seed, reference);
            }
        };
    }

    /** The recipe as JSON-ready values, for a run's config. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("objective", objective);
        m.put("negatives", negatives);
        m.put("k", (long) candidates);
        m.put("beta", beta);
        m.put("nll_weight", nllWeight);
        m.put("negatives_from", negativesFromPolicy ? "policy" : "reference");
        m.put("neg_temperature", (double) negativeSampling.temperature());
        m.put("neg_top_k", (long) negativeSampling.topK());
        m.put("neg_top_p", (double) negativeSampling.topP());
        m.put("meanfield_fraction", meanFieldFraction);
        m.put("pss_mix", pssMix);
        m.put("simpo_gamma", simpoGamma);
        m.put("xu_alpha", xuAlpha);
        return m;
    }
}
