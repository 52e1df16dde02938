package io.cpo4j.tests;

import io.cpo4j.engine.io.Json;
import io.cpo4j.model.train.Checkpoints;
import io.cpo4j.model.train.Objective;
import io.cpo4j.model.train.Trainer;
import io.cpo4j.model.train.TrainingDivergedException;
import io.cpo4j.model.train.TrainingRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A NaN or infinity in the loss <em>or only in a gradient</em> is caught: the step is skipped
 * (weights and AdamW moments untouched, the step counter not advanced), logged as a
 * {@code skipped} row of metrics.jsonl, and {@code max_bad_steps} in a row stop the run with a
 * checkpoint of the last good state.
 */
class NumericalFaultTest {

    @TempDir
    Path dir;

    enum Fault { NAN_GRADIENT, INFINITE_GRADIENT, INFINITE_LOSS }

    /** Spoils chosen calls of an objective after it ran: the loss, or one gradient while the loss stays finite. */
    static final class Faulty implements Objective {
        final Objective inner;
        final Trainer[] owner;
        final Map<Integer, Fault> faults;
        int calls;

        Faulty(Objective inner, Trainer[] owner, Map<Integer, Fault> faults) {
            this.inner = inner;
            this.owner = owner;
            this.faults = faults;
        }

        @Override
        public Map<String, Double> accumulate(int batchSize, int microBatches) {
            Map<String, Double> m = new LinkedHashMap<>(inner.accumulate(batchSize, microBatches));
            Fault f = faults.get(calls++);
            if (f == null) return m;
            float[] grads = owner[0].model().parameters().grads();
            switch (f) {
                case NAN_GRADIENT -> grads[grads.length / 3] = Float.NaN;
                case INFINITE_GRADIENT -> grads[7] = Float.NEGATIVE_INFINITY;
                case INFINITE_LOSS -> m.put("loss", Double.POSITIVE_INFINITY);
            }
            return m;
        }

        @Override public long lastTokens() { return inner.lastTokens(); }
        @Override public Map<String, Long> state() { return inner.state(); }
        @Override public void restore(Map<String, Long> s) { inner.restore(s); }
    }

    private static Trainer trainer(int steps, Map<Integer, Fault> faults) {
        Trainer plain = CrashTrainMain.trainer(steps);
        Trainer[] owner = new Trainer[1];
        owner[0] = new Trainer(plain.model(), plain.config(), new Faulty(plain.objective(), owner, faults), io.cpo4j.model.train.GradientReducer.LOCAL);
        return owner[0];
    }

    @Test
    void aFaultInTheLossOrInOneGradientSkipsTheStepAndTouchesNothing() {
        for (Fault fault : Fault.values()) {
            Trainer t = trainer(10, Map.of(1, fault));
            t.step();
            float[] weights = t.model().parameters().values().clone();
            float[] m = t.optimizer().firstMoments().clone(), v = t.optimizer().secondMoments().clone();
            Map<String, Double> metrics = t.step();
            assertThat(metrics.get("skipped")).as(fault.name()).isEqualTo(1.0);
            assertThat(t.stepsDone()).as(fault.name()).isEqualTo(1);
            assertThat(t.badSteps()).isEqualTo(1);
            assertThat(t.model().parameters().values()).as(fault + ": weights").containsExactly(weights);
            assertThat(t.optimizer().firstMoments()).as(fault + ": exp_avg").containsExactly(m);
            assertThat(t.optimizer().secondMoments()).as(fault + ": exp_avg_sq").containsExactly(v);
            assertThat(t.step().get("skipped")).as("the next good step is taken").isEqualTo(0.0);
            assertThat(t.stepsDone()).isEqualTo(2);
            assertThat(t.badSteps()).isZero();
        }
    }

    @Test
    void tooManyBadStepsInARowStopTheRunWithACheckpointOfTheLastGoodState() throws Exception {
        // CrashTrainMain's config allows 3 bad steps in a row; calls 2, 3, 4 are bad (after steps 1 and 2 succeeded).
        Trainer t = trainer(10, Map.of(2, Fault.NAN_GRADIENT, 3, Fault.INFINITE_LOSS, 4, Fault.INFINITE_GRADIENT));
        TrainingRun run = new TrainingRun(t, dir, 0, null, TrainingRun.Listener.NONE);
        assertThatThrownBy(run::run).isInstanceOf(TrainingDivergedException.class)
                .hasMessageContaining("3 consecutive steps had a non-finite loss or gradient")
                .hasMessageContaining("the state it stopped in is saved in " + dir.resolve("checkpoints/step-00000002-diverged"))
                .hasMessageContaining("the last good checkpoint is " + dir.resolve("checkpoints/step-00000002"));

        List<Map<String, Object>> rows = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("metrics.jsonl"))) rows.add(Json.parseObject(line, "metrics.jsonl"));
        // The third bad step ends the run, and is logged too.
        assertThat(rows).extracting(r -> r.get("kind")).containsExactly("train", "train", "skipped", "skipped", "skipped");
        assertThat(rows.get(3)).containsEntry("loss", null);                      // the infinite loss, written as null

        Trainer restored = CrashTrainMain.trainer(10);
        Checkpoints.restore(restored, run.checkpoints().latest().orElseThrow());
        assertThat(restored.stepsDone()).isEqualTo(2);
        assertThat(restored.model().parameters().values()).containsExactly(t.model().parameters().values());
        for (float w : restored.model().parameters().values()) assertThat(Float.isFinite(w)).isTrue();
    }
}
