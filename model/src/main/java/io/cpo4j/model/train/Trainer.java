package io.cpo4j.model.train;

import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.optim.AdamW;
import io.cpo4j.engine.optim.GradClip;
import io.cpo4j.model.lm.LanguageModel;
import io.cpo4j.model.lm.MemoryEstimate;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The optimisation loop shared by every objective. One step is
 * <b>compute gradients</b> ({@link Objective#accumulate}) → <b>combine</b> ({@link GradientReducer})
 * → <b>update</b> (non-finite check, global-norm clipping, AdamW with the scheduled learning rate).
 *
 * <p>A step whose loss or gradient is NaN or infinite is skipped — parameters and optimizer state
 * stay as they were — and logged; after {@code maxBadSteps} such steps in a row the run stops with
 * a {@link TrainingDivergedException} (the caller saves the last good state first). Skipped steps
 * do not advance the step counter.
 */
public final class Trainer {

    private final LanguageModel model;
    private final TrainConfig config;
    private final Objective objective;
    private final GradientReducer reducer;
    private final AdamW optimizer;
    private final LrSchedule schedule;
    private final PhaseClock clock = new PhaseClock();
    private Map<String, Double> lastPhases = Map.of();
    private int step;
    private int badSteps;

    /**
     * Refuses, before AdamW's moments or any activation are allocated, a configuration whose
     * training step cannot fit the heap (with the estimate).
     */
    public Trainer(LanguageModel model, TrainConfig config, Objective objective, GradientReducer reducer) {
        int rows = config.batchSize() * objective.rowsPerExample();
        int time = Math.min(config.blockSize(), model.config().contextLength());
        boolean recompute = config.gradientCheckpointing() || model.gradientCheckpointing();
        if (model.parameters().count() == 0) {
            throw new IllegalArgumentException("training: the model has no trainable parameters (a frozen " + model.baseDType()
                    + " base: add LoRA adapters with withLora, or widen it with toFloat32)");
        }
        MemoryEstimate estimate = MemoryEstimate.training(model.config(), rows, time, recompute);
        if (model.lora().isPresent()) estimate = estimate.withAdapters(model.config(), model.baseDType(), model.parameters().count());
        estimate.requireFits(String.format(java.util.Locale.ROOT,
                "training %s at %d rows × %d tokens", "this model", rows, time));
        if (config.gradientCheckpointing()) model.setGradientCheckpointing(true);   // as HF's Trainer: turns it on, never off
        this.model = model;
        this.config = config;
        this.objective = objective;
        this.reducer = reducer;
        this.optimizer = new AdamW(model.parameters(), config.beta1(), config.beta2(), config.eps(), config.weightDecay());
        this.schedule = config.schedule();
    }

    public LanguageModel model() {
        return model;
    }

    public TrainConfig config() {
        return config;
    }

    public Objective objective() {
        return objective;
    }

    public AdamW optimizer() {
        return optimizer;
    }

    /** Optimizer steps taken. */
    public int stepsDone() {
        return step;
    }

    /** Consecutive skipped steps so far. */
    public int badSteps() {
        return badSteps;
    }

    public boolean finished() {
        return step >= config.maxSteps();
    }

    /** Runs one optimizer step; returns its metrics: the objective's, then grad_norm, lr, tokens_per_sec, skipped. */
    public Map<String, Double> step() {
        long t0 = System.nanoTime();
        clock.reset();
        clock.start("gradients");
        model.setTraining(true);
        model.parameters().zeroGrad();
        Autograd.GradientListener early = objective.finishesGradientsInOnePass() ? reducer.overlap(model.parameters()) : null;
        Map<String, Double> metrics;
        try (Autograd.Scope listening = early == null ? null : Autograd.listenForGradients(early)) {
            metrics = new LinkedHashMap<>(objective.accumulate(config.batchSize(), config.gradAccumSteps()));
        }
        clock.start("optimizer");
        reducer.reduce(model.parameters().grads());
        metrics = new LinkedHashMap<>(reducer.reduceMetrics(metrics));
        double loss = metrics.getOrDefault("loss", 0.0);
        double norm = GradClip.norm(model.parameters());
        float lr = schedule.at(step);
        boolean finite = Double.isFinite(loss) && Double.isFinite(norm);
        if (finite) {
            optimizer.step(lr, config.gradClip() > 0 ? GradClip.coefficient(norm, config.gradClip()) : 1f);
            step++;
            badSteps = 0;
        } else {
            model.parameters().zeroGrad();
            badSteps++;
        }
        clock.stop();
        double seconds = (System.nanoTime() - t0) / 1e9;
        lastPhases = phases(clock.seconds(), objective.lastPhaseSeconds());
        metrics.put("grad_norm", norm);
        metrics.put("lr", (double) lr);
        metrics.put("tokens_per_sec", objective.lastTokens() / Math.max(seconds, 1e-9));
        metrics.put("skipped", finite ? 0.0 : 1.0);
        if (badSteps >= config.maxBadSteps()) {
            throw new TrainingDivergedException(badSteps + " consecutive steps had a non-finite loss or gradient (last: loss "
                    + loss + ", grad norm " + norm + ") at step " + step + "; lower the learning rate or check the data", metrics);
        }
        return metrics;
    }

    /**
     * Seconds the last {@link #step} spent per phase: the objective's own phases when it times them
     * (e.g. {@code sampling}, {@code scoring}, {@code backward}), else {@code gradients} for all of
     * its forward and backward work; then {@code optimizer} (combining, clipping and AdamW).
     */
    public Map<String, Double> lastPhaseSeconds() {
        return lastPhases;
    }

    private static Map<String, Double> phases(Map<String, Double> step, Map<String, Double> objective) {
        Map<String, Double> out = new LinkedHashMap<>(objective.isEmpty() ? Map.of("gradients", step.getOrDefault("gradients", 0.0)) : objective);
        out.put("optimizer", step.getOrDefault("optimizer", 0.0));
        return out;
    }

    /** Restores counters from a checkpoint (weights and moments are restored into their buffers by {@link Checkpoints}). */
    void restoreCounters(int step, int badSteps) {
        this.step = step;
        this.badSteps = badSteps;
        optimizer.setSteps(step);
    }
}
