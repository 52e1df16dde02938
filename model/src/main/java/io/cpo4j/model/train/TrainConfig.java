package io.cpo4j.model.train;

import io.cpo4j.engine.io.FormatException;
import io.cpo4j.engine.io.Json;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything a training run is configured by, with nanoGPT's names and defaults where it has
 * them: AdamW (betas 0.9/0.95, weight decay 0.1 on ≥2-D tensors), warmup then cosine decay to
 * lr/10, global-norm clipping at 1.0, gradient accumulation.
 *
 * @param batchSize       rows per micro-batch (B)
 * @param blockSize       tokens per row (T)
 * @param gradAccumSteps  micro-batches per optimizer step
 * @param maxSteps        optimizer steps of the run
 * @param learningRate    peak learning rate
 * @param warmupSteps     linear warmup steps
 * @param minLrRatio      final learning rate as a fraction of the peak
 * @param weightDecay     decoupled weight decay on tensors of two or more dimensions
 * @param beta1           AdamW β₁
 * @param beta2           AdamW β₂
 * @param eps             AdamW ε
 * @param gradClip        global gradient-norm limit (0 disables clipping)
 * @param evalEvery       steps between validation losses (0 disables)
 * @param evalBatches     batches per validation loss
 * @param checkpointEvery steps between checkpoints (0 disables)
 * @param keepCheckpoints newest checkpoints kept
 * @param maxBadSteps     consecutive steps with a NaN/Inf loss or gradient tolerated before the run stops
 * @param seed            seeds initialisation, data order and dropout
 */
public record TrainConfig(int batchSize, int blockSize, int gradAccumSteps, int maxSteps, float learningRate,
                          int warmupSteps, float minLrRatio, float weightDecay, float beta1, float beta2, float eps,
                          float gradClip, int evalEvery, int evalBatches, int checkpointEvery, int keepCheckpoints,
                          int maxBadSteps, long seed) {

    public TrainConfig {
        check(batchSize > 0, "batch_size must be positive");
        check(blockSize > 0, "block_size must be positive");
        check(gradAccumSteps > 0, "grad_accum_steps must be positive");
        check(maxSteps >= 0, "max_steps must be >= 0");
        check(learningRate > 0, "learning_rate must be positive");
        check(warmupSteps >= 0, "warmup_steps must be >= 0");
        check(minLrRatio >= 0 && minLrRatio <= 1, "min_lr_ratio must be in [0, 1]");
        check(weightDecay >= 0, "weight_decay must be >= 0");
        check(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1, "betas must be in [0, 1)");
        check(eps > 0, "eps must be positive");
        check(gradClip >= 0, "grad_clip must be >= 0");
        check(evalEvery >= 0 && evalBatches > 0, "eval_every must be >= 0 and eval_batches > 0");
        check(checkpointEvery >= 0 && keepCheckpoints > 0, "checkpoint_every must be >= 0 and keep_checkpoints > 0");
        check(maxBadSteps > 0, "max_bad_steps must be positive");
    }

    private static void check(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException("training config: " + message);
    }

    /** nanoGPT-like defaults for a small model. */
    public static TrainConfig defaults() {
        return new TrainConfig(16, 128, 1, 1000, 1e-3f, 100, 0.1f, 0.1f, 0.9f, 0.95f, 1e-8f, 1.0f,
                250, 20, 500, 3, 5, 1337);
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
            return new TrainConfig(i(v, "batch_size", source), i(v, "block_size", source), i(v, "grad_accum_steps", source),
                    i(v, "max_steps", source), f(v, "learning_rate", source), i(v, "warmup_steps", source), f(v, "min_lr_ratio", source),
                    f(v, "weight_decay", source), f(v, "beta1", source), f(v, "beta2", source), f(v, "eps", source), f(v, "grad_clip", source),
                    i(v, "eval_every", source), i(v, "eval_batches", source), i(v, "checkpoint_every", source), i(v, "keep_checkpoints", source),
                    i(v, "max_bad_steps", source), Json.requireLong(v, "seed", source));
        } catch (IllegalArgumentException e) {
            throw new FormatException(source, e.getMessage());
        }
    }

    private static int i(Map<String, Object> m, String k, String source) throws FormatException {
        return Json.requireInt(m, k, Integer.MIN_VALUE, Integer.MAX_VALUE, source);
    }

    private static float f(Map<String, Object> m, String k, String source) throws FormatException {
        if (!(m.get(k) instanceof Number)) throw new FormatException(source, "field \"" + k + "\" must be a number");
        return (float) Json.optionalDouble(m, k, 0, source);
    }

    public TrainConfig withMaxSteps(int steps) {
        return new TrainConfig(batchSize, blockSize, gradAccumSteps, steps, learningRate, warmupSteps, minLrRatio, weightDecay,
                beta1, beta2, eps, gradClip, evalEvery, evalBatches, checkpointEvery, keepCheckpoints, maxBadSteps, seed);
    }
}
