package io.cpo4j.model.train;

import io.cpo4j.model.data.RandomWindows;
import io.cpo4j.model.data.SequentialWindows;
import io.cpo4j.model.data.TokenShard;
import io.cpo4j.model.gpt.Gpt;
import io.cpo4j.model.gpt.GptConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TrainerTest {

    @TempDir
    Path dir;

    static final GptConfig MODEL = new GptConfig(37, 16, 2, 2, 16, 0.1f, 1e-5f);

    /** A stream with structure to learn: a repeating pattern with some noise. */
    static int[] stream(int n, long seed) {
        io.cpo4j.engine.Rng rng = new io.cpo4j.engine.Rng(seed);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = rng.nextInt(10) == 0 ? rng.nextInt(37) : (i * 7) % 37;
        return t;
    }

    static TrainConfig config(int steps) {
        return TrainConfig.builder().batchSize(4).blockSize(16).gradAccumSteps(2).maxSteps(steps).learningRate(1e-2f).warmupSteps(3)
                .evalEvery(0).evalBatches(2).checkpointEvery(0).keepCheckpoints(2).maxBadSteps(3).seed(5).build();
    }

    static Trainer trainer(int steps) {
        Gpt gpt = Gpt.create(MODEL, 5);
        return new Trainer(gpt, config(steps), new NextTokenObjective(gpt, new RandomWindows(TokenShard.of(stream(3000, 1)), 16, 11)), GradientReducer.LOCAL);
    }

    @Test
    void trainingLowersTheLoss() {
        Trainer t = trainer(60);
        SequentialWindows val = new SequentialWindows(TokenShard.of(stream(2000, 2)), 4, 16);
        double before = Evaluation.meanLoss(t.model(), val, 5).loss();
        double first = t.step().get("loss");
        while (!t.finished()) t.step();
        double after = Evaluation.meanLoss(t.model(), val, 5).loss();
        assertThat(before).isCloseTo(Math.log(37), org.assertj.core.data.Offset.offset(0.3));
        assertThat(after).as("validation loss after 60 steps").isLessThan(before - 1.0);
        assertThat(first).isGreaterThan(after);
        assertThat(t.stepsDone()).isEqualTo(60);
    }

    /** An objective that times nothing gets one "gradients" phase; the optimizer's follows; both inside the step's wall time. */
    @Test
    void aStepReportsWhereItsTimeWent() {
        Trainer t = trainer(2);
        assertThat(t.lastPhaseSeconds()).isEmpty();
        long t0 = System.nanoTime();
        t.step();
        double wall = (System.nanoTime() - t0) / 1e9;
        Map<String, Double> phases = t.lastPhaseSeconds();
        assertThat(List.copyOf(phases.keySet())).containsExactly("gradients", "optimizer");
        assertThat(phases.get("gradients")).isPositive();
        assertThat(phases.get("optimizer")).isPositive();
        assertThat(phases.get("gradients") + phases.get("optimizer")).isLessThanOrEqualTo(wall);
    }

    @Test
    void twentyStepsEqualTenStepsResumeTenSteps() throws IOException {
        Trainer straight = trainer(20);
        for (int i = 0; i < 20; i++) straight.step();

        Trainer first = trainer(20);
        for (int i = 0; i < 10; i++) first.step();
        Checkpoints cps = new Checkpoints(dir, 2, 0);
        Path saved = cps.save(first);
        first.step();                                         // work after the checkpoint is lost

        Trainer resumed = trainer(20);                        // a fresh process would build the same objects
        Checkpoints.restore(resumed, saved);
        assertThat(resumed.stepsDone()).isEqualTo(10);
        while (!resumed.finished()) resumed.step();

        assertThat(Arrays.equals(resumed.model().parameters().values(), straight.model().parameters().values()))
                .as("parameters after resume, bit for bit").isTrue();
        assertThat(Arrays.equals(resumed.optimizer().secondMoments(), straight.optimizer().secondMoments())).isTrue();
    }

    /** NextTokenObjective with a plain backward, which leaves every array of the graph to the collector. */
    static final class PlainBackward implements Objective {
        private final Gpt model;
        private final RandomWindows data;

        PlainBackward(Gpt model, RandomWindows data) {
            this.model = model;
            this.data = data;
        }

        @Override
        public Map<String, Double> accumulate(int batchSize, int microBatches) {
            double sum = 0;
            for (int m = 0; m < microBatches; m++) {
                io.cpo4j.model.data.Batch b = data.next(batchSize);
                io.cpo4j.engine.Tensor loss = model.loss(b.inputs(), b.targets(), b.rows(), b.block());
                sum += loss.item();
                loss.backward(new float[] {1f / microBatches});
            }
            return Map.of("loss", sum / microBatches);
        }

        @Override public long lastTokens() { return 0; }
        @Override public Map<String, Long> state() { return Map.of("data", data.state()); }
        @Override public void restore(Map<String, Long> s) { data.setState(s.get("data")); }
    }

    @Test
    void recyclingTheGraphsArraysChangesNoNumber() {
        // Large enough that activations and gradients go through the pool: (B·T, C) = 256 × 64 floats, logits 256 × 512.
        GptConfig model = new GptConfig(512, 64, 2, 2, 64, 0.1f, 1e-5f);
        TrainConfig config = TrainConfig.builder().batchSize(4).blockSize(64).gradAccumSteps(2).maxSteps(4).learningRate(1e-3f).warmupSteps(1)
                .evalEvery(0).evalBatches(2).checkpointEvery(0).keepCheckpoints(2).maxBadSteps(3).seed(5).build();
        int[] tokens = stream(4000, 3);
        for (int i = 0; i < tokens.length; i++) tokens[i] = (tokens[i] * 13 + i) % 512;
        Gpt a = Gpt.create(model, 9), b = Gpt.create(model, 9);
        Trainer recycling = new Trainer(a, config, new NextTokenObjective(a, new RandomWindows(TokenShard.of(tokens), 64, 4)), GradientReducer.LOCAL);
        Trainer plain = new Trainer(b, config, new PlainBackward(b, new RandomWindows(TokenShard.of(tokens), 64, 4)), GradientReducer.LOCAL);
        for (int step = 0; step < 4; step++) {                 // from the second step on, ops write over the last step's arrays
            assertThat(recycling.step().get("loss")).as("loss at step %d", step).isEqualTo(plain.step().get("loss"));
        }
        assertThat(Arrays.equals(a.parameters().values(), b.parameters().values())).as("parameters bit for bit").isTrue();
    }

    @Test
    void checkpointsKeepTheNewestAndIgnoreUnfinishedFolders() throws IOException {
        Trainer t = trainer(5);
        Checkpoints cps = new Checkpoints(dir, 2, 0);
        for (int i = 0; i < 4; i++) {
            t.step();
            cps.save(t);
        }
        Files.createDirectories(dir.resolve(".step-00000009.12345"));   // a crash mid-write leaves this
        assertThat(cps.list()).extracting(p -> p.getFileName().toString()).containsExactly("step-00000003", "step-00000004");
        assertThat(cps.latest().orElseThrow().getFileName().toString()).isEqualTo("step-00000004");
        Trainer wrongShape = new Trainer(Gpt.create(new GptConfig(37, 16, 1, 2, 16, 0f, 1e-5f), 1), config(5),
                new NextTokenObjective(t.model(), new RandomWindows(TokenShard.of(stream(100, 1)), 4, 1)), GradientReducer.LOCAL);
        assertThatThrownBy(() -> Checkpoints.restore(wrongShape, cps.latest().orElseThrow())).hasMessageContaining("config differs");
    }

    /** An objective that returns a NaN loss on chosen calls, to test the skip logic. */
    static final class Poisoned implements Objective {
        final Objective inner;
        final java.util.Set<Integer> bad;
        int calls;

        Poisoned(Objective inner, Integer... bad) {
            this.inner = inner;
            this.bad = java.util.Set.of(bad);
        }

        @Override
        public Map<String, Double> accumulate(int batchSize, int m) {
            Map<String, Double> r = new java.util.LinkedHashMap<>(inner.accumulate(batchSize, m));
            if (bad.contains(calls++)) r.put("loss", Double.NaN);
            return r;
        }

        @Override public long lastTokens() { return inner.lastTokens(); }
        @Override public Map<String, Long> state() { return inner.state(); }
        @Override public void restore(Map<String, Long> s) { inner.restore(s); }
    }

    @Test
    void nonFiniteStepsAreSkippedAndTooManyStopTheRun() {
        Gpt gpt = Gpt.create(MODEL, 5);
        Objective ntp = new NextTokenObjective(gpt, new RandomWindows(TokenShard.of(stream(3000, 1)), 16, 11));
        Trainer t = new Trainer(gpt, config(10), new Poisoned(ntp, 1, 3, 4, 5), GradientReducer.LOCAL);
        t.step();
        float[] before = gpt.parameters().values().clone();
        Map<String, Double> skipped = t.step();
        assertThat(skipped.get("skipped")).isEqualTo(1.0);
        assertThat(gpt.parameters().values()).containsExactly(before);
        assertThat(t.stepsDone()).isEqualTo(1);
        t.step();                                           // a good step resets the count
        assertThat(t.badSteps()).isZero();
        t.step();
        t.step();
        assertThatThrownBy(t::step).isInstanceOf(TrainingDivergedException.class).hasMessageContaining("3 consecutive steps");
        assertThat(t.stepsDone()).isEqualTo(2);
    }

    @Test
    void aTrainingStepThatCannotFitIsRefusedBeforeAllocating() {
        Gpt gpt = Gpt.create(io.cpo4j.model.gpt.GptConfig.tiny(), 1);
        TrainConfig huge = TrainConfig.builder().batchSize(200_000).blockSize(128).maxSteps(10).learningRate(1e-3f).warmupSteps(1)
                .evalEvery(0).evalBatches(1).checkpointEvery(0).keepCheckpoints(1).maxBadSteps(3).seed(1).build();
        long before = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
        assertThatThrownBy(() -> new Trainer(gpt, huge, new NextTokenObjective(gpt, new RandomWindows(TokenShard.of(stream(1000, 1)), 16, 1)),
                GradientReducer.LOCAL)).isInstanceOf(io.cpo4j.model.lm.MemoryEstimate.InsufficientMemoryException.class)
                .hasMessageContaining("200000 rows × 128 tokens").hasMessageContaining("GiB");
        long after = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
        assertThat(after - before).as("nothing large was allocated").isLessThan(256L << 20);
    }

    @Test
    void scheduleWarmsUpThenDecaysToATenth() {
        LrSchedule s = LrSchedule.cosine(1e-3f, 10, 110);
        var tiny = org.assertj.core.data.Offset.offset(1e-9f);
        assertThat(s.at(0)).isCloseTo(1e-4f, tiny);
        assertThat(s.at(4)).isCloseTo(5e-4f, tiny);
        assertThat(s.at(9)).isCloseTo(1e-3f, tiny);
        assertThat(s.at(60)).isCloseTo(5.5e-4f, tiny);
        assertThat(s.at(110)).isCloseTo(1e-4f, tiny);
        assertThat(s.at(500)).isCloseTo(1e-4f, tiny);
    }

    @Test
    void configRoundTripsThroughJsonAndRejectsUnknownKeys() throws Exception {
        TrainConfig c = config(7);
        assertThat(TrainConfig.fromJson(c.toJson(), TrainConfig.defaults(), "x")).isEqualTo(c);
        assertThatThrownBy(() -> TrainConfig.fromJson(Map.of("lr", 1.0), c, "run.json")).hasMessageContaining("run.json: unknown training option \"lr\"");
        assertThatThrownBy(() -> TrainConfig.fromJson(Map.of("batch_size", 0L), c, "run.json")).hasMessageContaining("batch_size must be positive");
    }
}
