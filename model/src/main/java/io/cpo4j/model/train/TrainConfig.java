package io.cpo4j.model.train;

import io.cpo4j.engine.io.FormatException;
import io.cpo4j.engine.io.Json;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a training run is configured by, with nanoGPT's names and defaults where it has
 * them: AdamW (betas 0.9/0.95, weight decay 0.1 on ≥2-D tensors), warmup then cosine decay to
 * lr/10, global-norm clipping at 1.0, gradient accumulation. Built by name, so that no two
 * numbers can be swapped unnoticed:
 *
 * <pre>{@code
 * TrainConfig config = TrainConfig.builder().batchSize(8).blockSize(256).maxSteps(2000).learningRate(6e-4f).build();
 * TrainConfig longer = config.toBuilder().maxSteps(4000).build();
 * }</pre>
 *
 * Each default lives once, in {@link Builder}; {@link #toJson} uses nanoGPT's snake_case keys.
 */
public final class TrainConfig {

    private final int batchSize, blockSize, gradAccumSteps, maxSteps, warmupSteps;
    private final float learningRate, minLrRatio, weightDecay, beta1, beta2, eps, gradClip;
    private final int evalEvery, evalBatches, checkpointEvery, keepCheckpoints, maxBadSteps;
    private final long seed;
    private final boolean gradientCheckpointing;

    private TrainConfig(Builder b) {
        check(b.batchSize > 0, "batch_size must be positive");
        check(b.blockSize > 0, "block_size must be positive");
        check(b.gradAccumSteps > 0, "grad_accum_steps must be positive");
        check(b.maxSteps >= 0, "max_steps must be >= 0");
        check(b.learningRate > 0 && Float.isFinite(b.learningRate), "learning_rate must be positive and finite");
        check(b.warmupSteps >= 0, "warmup_steps must be >= 0");
        check(b.minLrRatio >= 0 && b.minLrRatio <= 1, "min_lr_ratio must be in [0, 1]");
        check(b.weightDecay >= 0 && Float.isFinite(b.weightDecay), "weight_decay must be >= 0 and finite");
        check(b.beta1 >= 0 && b.beta1 < 1 && b.beta2 >= 0 && b.beta2 < 1, "betas must be in [0, 1)");
        check(b.eps > 0 && Float.isFinite(b.eps), "eps must be positive and finite");
        check(b.gradClip >= 0 && Float.isFinite(b.gradClip), "grad_clip must be >= 0 and finite");
        check(b.evalEvery >= 0 && b.evalBatches > 0, "eval_every must be >= 0 and eval_batches > 0");
        check(b.checkpointEvery >= 0 && b.keepCheckpoints > 0, "checkpoint_every must be >= 0 and keep_checkpoints > 0");
        check(b.maxBadSteps > 0, "max_bad_steps must be positive");
        batchSize = b.batchSize;
        blockSize = b.blockSize;
        gradAccumSteps = b.gradAccumSteps;
        maxSteps = b.maxSteps;
        learningRate = b.learningRate;
        warmupSteps = b.warmupSteps;
        minLrRatio = b.minLrRatio;
        weightDecay = b.weightDecay;
        beta1 = b.beta1;
        beta2 = b.beta2;
        eps = b.eps;
        gradClip = b.gradClip;
        evalEvery = b.evalEvery;
        evalBatches = b.evalBatches;
        checkpointEvery = b.checkpointEvery;
        keepCheckpoints = b.keepCheckpoints;
        maxBadSteps = b.maxBadSteps;
        seed = b.seed;
        gradientCheckpointing = b.gradientCheckpointing;
    }

    private static void check(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException("training config: " + message);
    }

    /** A builder holding every default. */
    public static Builder builder() {
        return new Builder();
    }

    /** nanoGPT-like defaults for a small model. */
    public static TrainConfig defaults() {
        return builder().build();
    }

    /** A builder starting from this config's values. */
    public Builder toBuilder() {
        return new Builder().batchSize(batchSize).blockSize(blockSize).gradAccumSteps(gradAccumSteps).maxSteps(maxSteps)
                .learningRate(learningRate).warmupSteps(warmupSteps).minLrRatio(minLrRatio).weightDecay(weightDecay)
                .betas(beta1, beta2).eps(eps).gradClip(gradClip).evalEvery(evalEvery).evalBatches(evalBatches)
                .checkpointEvery(checkpointEvery).keepCheckpoints(keepCheckpoints).maxBadSteps(maxBadSteps).seed(seed)
                .gradientCheckpointing(gradientCheckpointing);
    }

    /** Examples (rows) per micro-batch: B. */
    public int batchSize() {
        return batchSize;
    }

    /** Tokens per row: T. */
    public int blockSize() {
        return blockSize;
    }

    /** Micro-batches per optimizer step. */
    public int gradAccumSteps() {
        return gradAccumSteps;
    }

    /** Optimizer steps of the run. */
    public int maxSteps() {
        return maxSteps;
    }

    /** Peak learning rate. */
    public float learningRate() {
        return learningRate;
    }

    /** Linear warmup steps. */
    public int warmupSteps() {
        return warmupSteps;
    }

    /** Final learning rate as a fraction of the peak. */
    public float minLrRatio() {
        return minLrRatio;
    }

    /** Decoupled weight decay on tensors of two or more dimensions. */
    public float weightDecay() {
        return weightDecay;
    }

    /** AdamW β₁. */
    public float beta1() {
        return beta1;
    }

    /** AdamW β₂. */
    public float beta2() {
        return beta2;
    }

    /** AdamW ε. */
    public float eps() {
        return eps;
    }

    /** Global gradient-norm limit (0 disables clipping). */
    public float gradClip() {
        return gradClip;
    }

    /** Steps between validation losses (0 disables). */
    public int evalEvery() {
        return evalEvery;
    }

    /** Batches per validation loss. */
    public int evalBatches() {
        return evalBatches;
    }

    /** Steps between checkpoints (0: only at the end). */
    public int checkpointEvery() {
        return checkpointEvery;
    }

    /** Newest checkpoints kept. */
    public int keepCheckpoints() {
        return keepCheckpoints;
    }

    /** Consecutive steps with a NaN/Inf loss or gradient tolerated before the run stops. */
    public int maxBadSteps() {
        return maxBadSteps;
    }

    /** Seeds initialisation, data order and dropout. */
    public long seed() {
        return seed;
    }

    /** Activation recomputation per block (HuggingFace's {@code gradient_checkpointing}): less memory, one more forward pass. */
    public boolean gradientCheckpointing() {
        return gradientCheckpointing;
    }

    public LrSchedule schedule() {
        return new LrSchedule(learningRate, learningRate * minLrRatio, warmupSteps, maxSteps);
    }

    /** Tokens per optimizer step. */
    public long tokensPerStep() {
        return (long) batchSize * blockSize * gradAccumSteps;
    }

    /** The config as JSON-ready values, snake_case keys as in nanoGPT's configs. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("batch_size", (long) batchSize);
        m.put("block_size", (long) blockSize);
        m.put("grad_accum_steps", (long) gradAccumSteps);
        m.put("max_steps", (long) maxSteps);
        m.put("learning_rate", (double) learningRate);
        m.put("warmup_steps", (long) warmupSteps);
        m.put("min_lr_ratio", (double) minLrRatio);
        m.put("weight_decay", (double) weightDecay);
        m.put("beta1", (double) beta1);
        m.put("beta2", (double) beta2);
        m.put("eps", (double) eps);
        m.put("grad_clip", (double) gradClip);
        m.put("eval_every", (long) evalEvery);
        m.put("eval_batches", (long) evalBatches);
        m.put("checkpoint_every", (long) checkpointEvery);
        m.put("keep_checkpoints", (long) keepCheckpoints);
        m.put("max_bad_steps", (long) maxBadSteps);
        m.put("seed", seed);
        m.put("gradient_checkpointing", gradientCheckpointing);
        return m;
    }

    /** Reads the keys of {@link #toJson}; absent keys keep {@code base}'s values, unknown keys are errors. */
    public static TrainConfig fromJson(Map<String, Object> m, TrainConfig base, String source) throws FormatException {
        Map<String, Object> known = base.toJson();
        for (String k : m.keySet()) {
            if (!known.containsKey(k)) throw new FormatException(source, "unknown training option \"" + k + "\" (known: " + known.keySet() + ")");
        }
        Map<String, Object> v = new LinkedHashMap<>(known);
        v.putAll(m);
        try {
            return builder().batchSize(i(v, "batch_size", source)).blockSize(i(v, "block_size", source))
                    .gradAccumSteps(i(v, "grad_accum_steps", source)).maxSteps(i(v, "max_steps", source))
                    .learningRate(f(v, "learning_rate", source)).warmupSteps(i(v, "warmup_steps", source))
                    .minLrRatio(f(v, "min_lr_ratio", source)).weightDecay(f(v, "weight_decay", source))
                    .betas(f(v, "beta1", source), f(v, "beta2", source)).eps(f(v, "eps", source)).gradClip(f(v, "grad_clip", source))
                    .evalEvery(i(v, "eval_every", source)).evalBatches(i(v, "eval_batches", source))
                    .checkpointEvery(i(v, "checkpoint_every", source)).keepCheckpoints(i(v, "keep_checkpoints", source))
                    .maxBadSteps(i(v, "max_bad_steps", source)).seed(Json.requireLong(v, "seed", source))
                    .gradientCheckpointing(bool(v, "gradient_checkpointing", source)).build();
        } catch (IllegalArgumentException e) {
            throw new FormatException(source, e.getMessage());
        }
    }

    private static int i(Map<String, Object> m, String k, String source) throws FormatException {
        return Json.requireInt(m, k, Integer.MIN_VALUE, Integer.MAX_VALUE, source);
    }

    private static boolean bool(Map<String, Object> m, String k, String source) throws FormatException {
        if (!(m.get(k) instanceof Boolean b)) throw new FormatException(source, "field \"" + k + "\" must be true or false");
        return b;
    }

    private static float f(Map<String, Object> m, String k, String source) throws FormatException {
        if (!(m.get(k) instanceof Number)) throw new FormatException(source, "field \"" + k + "\" must be a number");
        return (float) Json.optionalDouble(m, k, 0, source);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrainConfig c && toJson().equals(c.toJson());
    }

    @Override
    public int hashCode() {
        return Objects.hash(toJson());
    }

    @Override
    public String toString() {
        return "TrainConfig" + toJson();
    }

    /** Named setters over the defaults; {@link #build} checks the values. */
    public static final class Builder {
        private int batchSize = 16, blockSize = 128, gradAccumSteps = 1, maxSteps = 1000, warmupSteps = 100;
        private float learningRate = 1e-3f, minLrRatio = 0.1f, weightDecay = 0.1f, beta1 = 0.9f, beta2 = 0.95f, eps = 1e-8f, gradClip = 1.0f;
        private int evalEvery = 250, evalBatches = 20, checkpointEvery = 500, keepCheckpoints = 3, maxBadSteps = 5;
        private long seed = 1337;
        private boolean gradientCheckpointing = false;

        private Builder() {}

        public Builder batchSize(int examples) {
            this.batchSize = examples;
            return this;
        }

        public Builder blockSize(int tokens) {
            this.blockSize = tokens;
            return this;
        }

        public Builder gradAccumSteps(int microBatches) {
            this.gradAccumSteps = microBatches;
            return this;
        }

        public Builder maxSteps(int steps) {
            this.maxSteps = steps;
            return this;
        }

        public Builder learningRate(float lr) {
            this.learningRate = lr;
            return this;
        }

        public Builder warmupSteps(int steps) {
            this.warmupSteps = steps;
            return this;
        }

        public Builder minLrRatio(float ratio) {
            this.minLrRatio = ratio;
            return this;
        }

        public Builder weightDecay(float decay) {
            this.weightDecay = decay;
            return this;
        }

        /** AdamW's β₁ and β₂. */
        public Builder betas(float beta1, float beta2) {
            this.beta1 = beta1;
            this.beta2 = beta2;
            return this;
        }

        public Builder eps(float eps) {
            this.eps = eps;
            return this;
        }

        public Builder gradClip(float maxNorm) {
            this.gradClip = maxNorm;
            return this;
        }

        public Builder evalEvery(int steps) {
            this.evalEvery = steps;
            return this;
        }

        public Builder evalBatches(int batches) {
            this.evalBatches = batches;
            return this;
        }

        public Builder checkpointEvery(int steps) {
            this.checkpointEvery = steps;
            return this;
        }

        public Builder keepCheckpoints(int count) {
            this.keepCheckpoints = count;
            return this;
        }

        public Builder maxBadSteps(int steps) {
            this.maxBadSteps = steps;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Recompute each block's activations in the backward pass instead of keeping them. */
        public Builder gradientCheckpointing(boolean enabled) {
            this.gradientCheckpointing = enabled;
            return this;
        }

        public TrainConfig build() {
            return new TrainConfig(this);
        }
    }
}
