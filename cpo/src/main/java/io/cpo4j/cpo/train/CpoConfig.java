package io.cpo4j.cpo.train;

import io.cpo4j.cpo.loss.DpoLoss;
import io.cpo4j.cpo.loss.PlainCpoLoss;
import io.cpo4j.cpo.loss.RankedCpoLoss;
import io.cpo4j.cpo.loss.SequenceLoss;
import io.cpo4j.cpo.loss.SimpoLoss;
import io.cpo4j.cpo.loss.WithNll;
import io.cpo4j.cpo.loss.XuCpoLoss;
import io.cpo4j.cpo.negatives.AutoregressiveNegatives;
import io.cpo4j.cpo.negatives.NegativeGenerator;
import io.cpo4j.cpo.negatives.NegativeMixer;
import io.cpo4j.model.lm.LanguageModel;
import io.cpo4j.model.train.Objective;
import io.cpo4j.model.train.TrainConfig;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A fine-tuning recipe, with TRL's names: the {@link LossType}, {@code beta}, {@code cpo_alpha},
 * {@code simpo_gamma}, the negative generators (objects, each with its own settings), K
 * candidates, the end-of-text token negatives end with, and the optimisation ({@link TrainConfig},
 * whose batch size is the one batch size of the run). Built by name; each default lives once, in
 * {@link Builder}:
 *
 * <pre>{@code
 * CpoConfig config = CpoConfig.builder()
 *         .lossType(LossType.CPO_RANKED).beta(0.1).candidates(4)
 *         .negatives(new AutoregressiveNegatives(), new TruncationNegatives())
 *         .eosToken(tokenizer.eotToken())
 *         .training(t -> t.batchSize(8).maxSteps(200).learningRate(1e-5f))
 *         .build();
 * }</pre>
 */
public final class CpoConfig {

    private final LossType lossType;
    private final double beta, cpoAlpha, simpoGamma, pssMix;
    /** cpo_alpha as given, or null for the loss type's default (kept so that changing the loss type changes the default). */
    private final Double cpoAlphaGiven;
    private final int candidates, eosToken;
    /** K as given (pairwise losses use 2 whatever it is). */
    private final int candidatesGiven;
    private final List<NegativeGenerator> negatives;
    private final boolean rescoreNegatives;
    private final boolean sharePrefixes;
    private final boolean precomputeRefLogProbs;
    private final TrainConfig training;

    private CpoConfig(Builder b) {
        lossType = b.lossType;
        beta = b.beta;
        cpoAlphaGiven = b.cpoAlpha;
        cpoAlpha = b.cpoAlpha != null ? b.cpoAlpha : (lossType == LossType.CPO_XU ? 1.0 : 0.0);
        simpoGamma = b.simpoGamma;
        pssMix = b.pssMix;
        candidatesGiven = b.candidates;
        candidates = lossType.isPairwise() ? 2 : b.candidates;
        eosToken = b.eosToken;
        negatives = List.copyOf(b.negatives);
        rescoreNegatives = b.rescoreNegatives;
        sharePrefixes = b.sharePrefixes;
        precomputeRefLogProbs = b.precomputeRefLogProbs;
        training = b.training.build();
        check(beta > 0 && Double.isFinite(beta), "beta must be positive and finite, got " + beta);
        check(cpoAlpha >= 0 && Double.isFinite(cpoAlpha), "cpo_alpha must be >= 0 and finite, got " + cpoAlpha);
        check(Double.isFinite(simpoGamma), "simpo_gamma must be finite, got " + simpoGamma);
        check(pssMix >= 0 && pssMix <= 1, "pss_mix must be in [0, 1], got " + pssMix);
        if (lossType.isContrastive()) {
            check(b.candidates >= 2, "k (candidates per example, the truth included) must be at least 2, got " + b.candidates);
            check(!negatives.isEmpty(), lossType + " needs at least one negative generator");
        }
    }

    private static void check(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException("fine-tuning config: " + message);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this config's values. */
    public Builder toBuilder() {
        Builder b = new Builder().lossType(lossType).beta(beta).simpoGamma(simpoGamma).pssMix(pssMix)
                .candidates(candidatesGiven).negatives(negatives).eosToken(eosToken).rescoreNegatives(rescoreNegatives)
                .sharePrefixes(sharePrefixes).precomputeRefLogProbs(precomputeRefLogProbs);
        b.cpoAlpha = cpoAlphaGiven;
        b.training = training.toBuilder();
        return b;
    }

    /**
     * The optimisation defaults of a fine-tune: a small learning rate, no weight decay (as
     * HuggingFace's Trainer), batches of 8 examples, 200 steps; the block size is set from the data.
     */
    public static TrainConfig.Builder defaultTraining() {
        return TrainConfig.builder().batchSize(8).blockSize(1).maxSteps(200).learningRate(1e-5f).warmupSteps(10).weightDecay(0f)
                .evalEvery(50).evalBatches(4).checkpointEvery(100).keepCheckpoints(2);
    }

    public LossType lossType() {
        return lossType;
    }

    /** The reward scale β (TRL's {@code beta}). */
    public double beta() {
        return beta;
    }

    /** Weight of the truth's NLL added to a contrastive loss (TRL's {@code cpo_alpha}; default 1 for cpo-xu, 0 otherwise). */
    public double cpoAlpha() {
        return cpoAlpha;
    }

    /** SimPO's target margin γ (TRL's {@code simpo_gamma}). */
    public double simpoGamma() {
        return simpoGamma;
    }

    /** Parallel Scheduled Sampling's probability of replacing an input token by a sampled one. */
    public double pssMix() {
        return pssMix;
    }

    /** K: the truth plus K − 1 negatives per example (2 for the pairwise losses). */
    public int candidates() {
        return candidates;
    }

    /**
     * Whether the reference scores again the negatives it sampled itself. Off (the default), it takes
     * the log-probabilities the sampler recorded while decoding, which saves a forward pass over
     * every sampled negative but differs from the scoring forward in the last bits; on, every
     * candidate goes through the same forward for reference and policy, so a policy that equals its
     * reference (fresh LoRA adapters, or a full copy at step 0) gets rewards of exactly 0.
     */
    public boolean rescoreNegatives() {
        return rescoreNegatives;
    }

    /**
     * Whether scoring runs each example's prompt once for its K candidates (forward and backward;
     * {@link io.cpo4j.cpo.score.SequenceScorer#score(LanguageModel, io.cpo4j.cpo.score.CandidateSet, float[][], boolean)}),
     * for the policy and the reference alike. The same losses and gradients up to float rounding;
     * off by default.
     */
    public boolean sharePrefixes() {
        return sharePrefixes;
    }

    /**
     * Whether the frozen reference's log-probability of each example's truth is computed once, the
     * first time the example is drawn, and reused every later time (TRL's
     * {@code precompute_ref_log_probs}, done lazily; {@link ReferenceTruths}): from the second epoch
     * on the reference scores only the negatives it did not sample. Each truth is scored alone, so
     * the values differ from in-batch ones in the last bits: off by default. Logged as
     * {@code ref_truths_reused}, the share of a step's truths whose value was reused.
     */
    public boolean precomputeRefLogProbs() {
        return precomputeRefLogProbs;
    }

    /** The end-of-text token that ends continuations and negatives (−1 when unset). */
    public int eosToken() {
        return eosToken;
    }

    /** The negative generators, sharing the K − 1 slots round-robin. */
    public List<NegativeGenerator> negatives() {
        return negatives;
    }

    /** The optimisation: batch size, steps, learning rate, AdamW, checkpoints. */
    public TrainConfig training() {
        return training;
    }

    public boolean isContrastive() {
        return lossType.isContrastive();
    }

    /** Model rows one example becomes: K for a contrastive loss, else 1. */
    public int rowsPerExample() {
        return isContrastive() ? candidates : 1;
    }

    /** Whether a frozen reference model is needed: as the loss's reference, or to sample negatives from. */
    public boolean needsReference() {
        if (!isContrastive()) return false;
        if (loss().usesReference()) return true;
        for (NegativeGenerator g : negatives) {
            if (g instanceof AutoregressiveNegatives a && !a.fromPolicy()) return true;
        }
        return false;
    }

    /** The contrastive loss this recipe minimises, its NLL term included. */
    public SequenceLoss loss() {
        SequenceLoss base = switch (lossType) {
            case CPO -> new PlainCpoLoss(beta);
            case CPO_RANKED -> new RankedCpoLoss(beta);
            case DPO -> new DpoLoss(beta);
            case CPO_XU -> new XuCpoLoss(beta, cpoAlpha);
            case SIMPO -> new SimpoLoss(beta, simpoGamma);
            case MLE, PSS -> throw new IllegalStateException(lossType + " is not a contrastive loss");
        };
        return cpoAlpha > 0 && lossType != LossType.CPO_XU ? new WithNll(base, cpoAlpha) : base;
    }

    public NegativeMixer negativeMixer() {
        return new NegativeMixer(negatives);
    }

    /**
     * The objective over {@code data}; {@code reference} is the frozen model (null when not
     * {@link #needsReference()}); {@code seed} seeds negatives or PSS's mixing.
     */
    public Objective objective(LanguageModel policy, LanguageModel reference, ExampleSource data, long seed) {
        return switch (lossType) {
            case MLE -> new SftObjective(policy, data);
            case PSS -> new PssObjective(policy, data, pssMix, seed);
            default -> {
                check(eosToken >= 0, "eos_token is not set: negatives end with the end-of-text token (tokenizer.eotToken())");
                if (needsReference() && reference == null) throw new IllegalArgumentException(lossType + " needs a reference model");
                yield new ContrastiveObjective(policy, loss().usesReference() ? reference : null, this, data, seed, reference);
            }
        };
    }

    /** The recipe as JSON-ready values with TRL's keys, for a run's config. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("loss_type", lossType.id());
        m.put("beta", beta);
        m.put("cpo_alpha", cpoAlpha);
        m.put("simpo_gamma", simpoGamma);
        m.put("pss_mix", pssMix);
        m.put("k", (long) candidates);
        List<String> names = new ArrayList<>();
        for (NegativeGenerator g : negatives) names.add(g.name());
        m.put("negatives", names);
        for (NegativeGenerator g : negatives) m.putAll(g.options());
        m.put("rescore_negatives", rescoreNegatives);
        m.put("share_prefixes", sharePrefixes);
        m.put("precompute_ref_log_probs", precomputeRefLogProbs);
        return m;
    }

    @Override
    public String toString() {
        return "CpoConfig" + toJson() + " " + training;
    }

    /** Named setters over the defaults: CPO, β = 0.1, K = 4, autoregressive negatives, {@link #defaultTraining()}. */
    public static final class Builder {
        private LossType lossType = LossType.CPO;
        private double beta = 0.1;
        private Double cpoAlpha;
        private double simpoGamma = 1.0, pssMix = 0.25;
        private int candidates = 4, eosToken = -1;
        private List<NegativeGenerator> negatives = List.of(new AutoregressiveNegatives());
        private boolean rescoreNegatives;
        private boolean sharePrefixes;
        private boolean precomputeRefLogProbs;
        private TrainConfig.Builder training = defaultTraining();

        private Builder() {}

        public Builder lossType(LossType type) {
            this.lossType = type;
            return this;
        }

        public Builder beta(double beta) {
            this.beta = beta;
            return this;
        }

        public Builder cpoAlpha(double weight) {
            this.cpoAlpha = weight;
            return this;
        }

        public Builder simpoGamma(double gamma) {
            this.simpoGamma = gamma;
            return this;
        }

        public Builder pssMix(double probability) {
            this.pssMix = probability;
            return this;
        }

        /** K, the truth included; ignored (2) for the pairwise losses. */
        public Builder candidates(int k) {
            this.candidates = k;
            return this;
        }

        public Builder eosToken(int token) {
            this.eosToken = token;
            return this;
        }

        public Builder negatives(NegativeGenerator... generators) {
            return negatives(List.of(generators));
        }

        public Builder negatives(List<NegativeGenerator> generators) {
            this.negatives = List.copyOf(generators);
            return this;
        }

        /** See {@link CpoConfig#rescoreNegatives()}. */
        public Builder rescoreNegatives(boolean rescore) {
            this.rescoreNegatives = rescore;
            return this;
        }

        /** See {@link CpoConfig#sharePrefixes()}. */
        public Builder sharePrefixes(boolean share) {
            this.sharePrefixes = share;
            return this;
        }

        /** See {@link CpoConfig#precomputeRefLogProbs()}. */
        public Builder precomputeRefLogProbs(boolean precompute) {
            this.precomputeRefLogProbs = precompute;
            return this;
        }

        /** Changes the optimisation settings, starting from the current ones. */
        public Builder training(Consumer<TrainConfig.Builder> change) {
            change.accept(training);
            return this;
        }

        /** Replaces the optimisation settings. */
        public Builder training(TrainConfig config) {
            this.training = config.toBuilder();
            return this;
        }

        public CpoConfig build() {
            return new CpoConfig(this);
        }
    }
}
