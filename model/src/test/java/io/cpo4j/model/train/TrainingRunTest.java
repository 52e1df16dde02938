package io.cpo4j.model.train;

import io.cpo4j.model.data.RandomWindows;
import io.cpo4j.model.data.SequentialWindows;
import io.cpo4j.model.data.TokenShard;
import io.cpo4j.model.gpt.Gpt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TrainingRunTest {

    @TempDir
    Path dir;

    static TrainConfig config() {
        return TrainConfig.builder().batchSize(4).blockSize(16).maxSteps(6).learningRate(1e-2f).warmupSteps(2)
                .evalEvery(3).evalBatches(2).checkpointEvery(2).keepCheckpoints(2).maxBadSteps(2).seed(5).build();
    }

    @Test
    void aRunLogsEveryStepValidatesAndCheckpoints() throws IOException {
        Gpt gpt = Gpt.create(TrainerTest.MODEL, 5);
        Trainer t = new Trainer(gpt, config(), new NextTokenObjective(gpt, new RandomWindows(TokenShard.of(TrainerTest.stream(3000, 1)), 16, 11)), GradientReducer.LOCAL);
        SequentialWindows val = new SequentialWindows(TokenShard.of(TrainerTest.stream(1000, 2)), 4, 16);
        TrainingRun run = new TrainingRun(t, dir, 0, () -> Map.of("val/loss", Evaluation.meanLoss(gpt, val, 2).loss()), TrainingRun.Listener.NONE);
        assertThat(run.run()).isEqualTo(TrainingRun.Outcome.FINISHED);
        List<String> lines = Files.readAllLines(dir.resolve("metrics.jsonl"));
        assertThat(lines.stream().filter(l -> l.contains("\"kind\":\"train\""))).hasSize(6);
        assertThat(lines.stream().filter(l -> l.contains("\"kind\":\"validation\""))).hasSize(2);
        assertThat(lines.get(0)).startsWith("{\"step\":1,\"kind\":\"train\",\"loss\":");
        assertThat(run.checkpoints().list()).extracting(p -> p.getFileName().toString()).containsExactly("step-00000004", "step-00000006");
    }

    @Test
    void aDivergingRunSavesItsLastGoodStateAndSaysWhere() throws IOException {
        Gpt gpt = Gpt.create(TrainerTest.MODEL, 5);
        Objective ntp = new NextTokenObjective(gpt, new RandomWindows(TokenShard.of(TrainerTest.stream(3000, 1)), 16, 11));
        Trainer t = new Trainer(gpt, config(), new TrainerTest.Poisoned(ntp, 1, 2), GradientReducer.LOCAL);
        TrainingRun run = new TrainingRun(t, dir, 0, null, TrainingRun.Listener.NONE);
        assertThatThrownBy(run::run).isInstanceOf(TrainingDivergedException.class)
                .hasMessageContaining("2 consecutive steps").hasMessageContaining("step-00000001-diverged")
                .hasMessageContaining("there is no good checkpoint to resume from");
        // The diverged state is kept apart for inspection: restorable, but never listed or resumed from.
        assertThat(run.checkpoints().list()).isEmpty();
        assertThat(run.checkpoints().latest()).isEmpty();
        Trainer restored = new Trainer(Gpt.create(TrainerTest.MODEL, 9), config(), ntp, GradientReducer.LOCAL);
        Checkpoints.restore(restored, dir.resolve("checkpoints/step-00000001-diverged"));
        assertThat(restored.model().parameters().values()).containsExactly(gpt.parameters().values());
    }

    @Test
    void aStopRequestSavesAndEndsTheRun() throws IOException {
        Gpt gpt = Gpt.create(TrainerTest.MODEL, 5);
        Trainer t = new Trainer(gpt, config(), new NextTokenObjective(gpt, new RandomWindows(TokenShard.of(TrainerTest.stream(3000, 1)), 16, 11)), GradientReducer.LOCAL);
        TrainingRun[] holder = new TrainingRun[1];
        holder[0] = new TrainingRun(t, dir, 0, null, (step, total, m) -> {
            if (step == 3) holder[0].requestStop();
        });
        assertThat(holder[0].run()).isEqualTo(TrainingRun.Outcome.INTERRUPTED);
        assertThat(holder[0].checkpoints().latest().orElseThrow().getFileName().toString()).isEqualTo("step-00000003");
        Gpt again = Gpt.create(TrainerTest.MODEL, 5);
        Trainer t2 = new Trainer(again, config(), new NextTokenObjective(again, new RandomWindows(TokenShard.of(TrainerTest.stream(3000, 1)), 16, 11)), GradientReducer.LOCAL);
        TrainingRun resumed = new TrainingRun(t2, dir, 0, null, TrainingRun.Listener.NONE);
        assertThat(resumed.resumeIfPossible()).isTrue();
        assertThat(t2.stepsDone()).isEqualTo(3);
        assertThat(resumed.run()).isEqualTo(TrainingRun.Outcome.FINISHED);
        assertThat(t2.stepsDone()).isEqualTo(6);
    }
}
