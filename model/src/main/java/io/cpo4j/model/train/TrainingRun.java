package io.cpo4j.model.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Drives a {@link Trainer} to the end of its schedule inside a run folder: metrics to
 * {@code metrics.jsonl}, validation every {@code evalEvery} steps, a checkpoint every
 * {@code checkpointEvery} steps and at the end, each recording the loss of its step. A run that
 * diverges saves the state it stopped in as {@code step-N-diverged} (pruning nothing) and names
 * the last good checkpoint, which is the one {@code --resume} continues from; Ctrl-C (a JVM shutdown) saves a checkpoint and lets the run end cleanly.
 */
public final class TrainingRun {

    /** Hears about every step and validation, for progress output. */
    public interface Listener {
        void onStep(int step, int total, Map<String, Double> metrics);

        default void onValidation(int step, Map<String, Double> metrics) {}

        default void onCheckpoint(int step, Path folder) {}

        Listener NONE = (s, t, m) -> { };
    }

    /** How the run ended. */
    public enum Outcome { FINISHED, INTERRUPTED }

    private final Trainer trainer;
    private final Path runDir;
    private final Checkpoints checkpoints;
    private final Supplier<Map<String, Double>> validation;
    private final Listener listener;
    private volatile boolean stopRequested;
    private boolean saveOnExit = true;
    private Double lastLoss;
    private Path resumedFrom;

    /** {@code validation} returns metrics such as {@code val/loss}; null for none. */
    public TrainingRun(Trainer trainer, Path runDir, int eosToken, Supplier<Map<String, Double>> validation, Listener listener) {
        this.trainer = trainer;
        this.runDir = runDir;
        this.checkpoints = new Checkpoints(runDir.resolve("checkpoints"), trainer.config().keepCheckpoints(), eosToken);
        this.validation = validation;
        this.listener = listener;
    }

    public Checkpoints checkpoints() {
        return checkpoints;
    }

    /**
     * Continues from the newest good checkpoint in the run folder (never a diverged one), if there
     * is one; returns whether it did.
     */
    public boolean resumeIfPossible() throws IOException {
        var latest = checkpoints.latest();
        if (latest.isEmpty()) return false;
        Checkpoints.restore(trainer, latest.get());
        resumedFrom = latest.get();
        return true;
    }

    /** The checkpoint {@link #resumeIfPossible()} continued from, or null. */
    public Path resumedFrom() {
        return resumedFrom;
    }

    /**
     * Whether a JVM shutdown (Ctrl-C) saves a checkpoint after the current step before the process
     * ends (the default). A replica of a data-parallel run turns it off: its peers would not stop
     * at the same step, and its last periodic checkpoint is the one a restarted job resumes from.
     */
    public TrainingRun saveOnExit(boolean save) {
        this.saveOnExit = save;
        return this;
    }

    /** Asks the loop to save and stop after the current step (what Ctrl-C does). */
    public void requestStop() {
        stopRequested = true;
    }

    public Outcome run() throws IOException {
        TrainConfig cfg = trainer.config();
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            requestStop();
            try {
                done.await(5, TimeUnit.MINUTES);          // let the loop write its checkpoint
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "cpo4j-save-on-exit");
        boolean hooked = saveOnExit && addHook(hook);
        if (saveOnExit && !hooked) requestStop();         // Ctrl-C came before the loop: save after one step and stop
        try (MetricsLog log = new MetricsLog(runDir.resolve("metrics.jsonl"))) {
            while (!trainer.finished()) {
                Map<String, Double> metrics;
                try {
                    metrics = trainer.step();
                } catch (TrainingDivergedException e) {
                    log.append(trainer.stepsDone(), "skipped", e.lastMetrics());
                    Path saved = checkpoints.saveDiverged(trainer, lastLoss);
                    Path good = checkpoints.latest().orElse(null);
                    throw new TrainingDivergedException(e.getMessage() + "; the state it stopped in is saved in " + saved
                            + (good == null ? "; there is no good checkpoint to resume from"
                                    : "; the last good checkpoint is " + good + " (--resume continues from it)"), e.lastMetrics());
                }
                int step = trainer.stepsDone();
                lastLoss = metrics.get("loss");
                log.append(step, metrics.getOrDefault("skipped", 0.0) > 0 ? "skipped" : "train", metrics);
                listener.onStep(step, cfg.maxSteps(), metrics);
                if (metrics.getOrDefault("skipped", 0.0) > 0) continue;
                if (validation != null && cfg.evalEvery() > 0 && (step % cfg.evalEvery() == 0 || trainer.finished())) {
                    Map<String, Double> val = validation.get();
                    log.append(step, "validation", val);
                    listener.onValidation(step, val);
                }
                if (cfg.checkpointEvery() > 0 && step % cfg.checkpointEvery() == 0 && !trainer.finished()) {
                    listener.onCheckpoint(step, checkpoints.save(trainer, lastLoss));
                }
                if (stopRequested) {
                    listener.onCheckpoint(step, checkpoints.save(trainer, lastLoss));
                    return Outcome.INTERRUPTED;
                }
            }
            listener.onCheckpoint(trainer.stepsDone(), checkpoints.save(trainer, lastLoss));
            return Outcome.FINISHED;
        } finally {
            done.countDown();
            if (hooked) removeHook(hook);
        }
    }

    private static boolean addHook(Thread hook) {
        try {
            Runtime.getRuntime().addShutdownHook(hook);
            return true;
        } catch (IllegalStateException shuttingDown) {
            return false;
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is exiting and the hook has run
        }
    }
}
