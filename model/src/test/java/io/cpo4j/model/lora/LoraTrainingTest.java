package io.cpo4j.model.lora;

import io.cpo4j.model.hf.PeftAdapters;
import io.cpo4j.engine.Rng;
import io.cpo4j.engine.io.FormatException;
import io.cpo4j.model.data.RandomWindows;
import io.cpo4j.model.data.TokenShard;
import io.cpo4j.model.lm.LanguageModel;
import io.cpo4j.model.train.Checkpoints;
import io.cpo4j.model.train.GradientReducer;
import io.cpo4j.model.train.NextTokenObjective;
import io.cpo4j.model.train.TrainConfig;
import io.cpo4j.model.train.Trainer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The ordinary Trainer, AdamW and checkpoints train an adapted model's adapters and nothing else, and resume bit for bit. */
class LoraTrainingTest {

    @TempDir
    Path dir;

    static java.util.stream.Stream<LoraModels.Family> families() {
        return LoraModels.families();
    }

    static int[] stream(int n, long seed) {
        Rng rng = new Rng(seed);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = rng.nextInt(10) == 0 ? rng.nextInt(LoraModels.V) : (i * 7) % LoraModels.V;
        return t;
    }

    /** A trainer of fresh adapters (with dropout) on a fixed base; the same arguments build the same trainer. */
    static Trainer trainer(LoraModels.Family f, int steps) {
        LanguageModel adapted = f.base(1).withLora(f.lora(0.1f), 3);
        TrainConfig config = TrainConfig.builder().batchSize(2).blockSize(8).maxSteps(steps).learningRate(1e-2f).warmupSteps(1)
                .evalEvery(0).evalBatches(1).checkpointEvery(0).keepCheckpoints(2).maxBadSteps(3).seed(5).build();
        return new Trainer(adapted, config, new NextTokenObjective(adapted, new RandomWindows(TokenShard.of(stream(2000, 1)), 8, 11)), GradientReducer.LOCAL);
    }

    @ParameterizedTest
    @MethodSource("families")
    void trainingChangesTheAdaptersAndNotOneBitOfTheBase(LoraModels.Family f) {
        Trainer t = trainer(f, 4);
        LanguageModel base = t.model().withoutAdapters();
        float[] baseBefore = base.parameters().values().clone(), adaptersBefore = t.model().parameters().values().clone();
        double first = t.step().get("loss");
        while (!t.finished()) t.step();
        assertThat(Arrays.equals(base.parameters().values(), baseBefore)).as("base weights, bit for bit").isTrue();
        for (float g : base.parameters().grads()) assertThat(g).isZero();
        int changed = 0;
        float[] after = t.model().parameters().values();
        for (int i = 0; i < after.length; i++) if (after[i] != adaptersBefore[i]) changed++;
        assertThat(changed).as("adapter values that moved").isGreaterThan(after.length / 2);
        assertThat(t.optimizer().firstMoments()).hasSize(t.model().parameters().count());
        assertThat(first).isFinite();
    }

    /** GPT-2 XL with r = 16 on q|k|v: AdamW's moments for the adapters only, beside the frozen base. */
    @org.junit.jupiter.api.Test
    void theMemoryEstimateCountsMomentsForTheAdaptersOnly() {
        io.cpo4j.model.gpt.GptConfig xl = io.cpo4j.model.gpt.GptConfig.gpt2Xl();
        long adapters = 48L * 16 * (1600 + 3 * 1600);                 // per layer: A (16, 1600) and B (4800, 16)
        io.cpo4j.model.lm.MemoryEstimate full = io.cpo4j.model.lm.MemoryEstimate.training(xl, 32, 128), lora = full.withAdapters(adapters);
        assertThat(lora.optimizerBytes()).isEqualTo(8 * adapters);
        assertThat(lora.parameterBytes()).isEqualTo(8 * xl.parameterCount() + 8 * adapters);
        assertThat(lora.activationBytes()).isEqualTo(full.activationBytes());
        assertThat(full.optimizerBytes()).isEqualTo(8 * xl.parameterCount());
    }

    @ParameterizedTest
    @MethodSource("families")
    void sixStepsEqualThreeStepsResumeThreeSteps(LoraModels.Family f) throws IOException {
        Trainer straight = trainer(f, 6);
        while (!straight.finished()) straight.step();

        Trainer first = trainer(f, 6);
        for (int i = 0; i < 3; i++) first.step();
        Path saved = new Checkpoints(dir, 2, 0).save(first);
        assertThat(saved.resolve(PeftAdapters.CONFIG)).exists();
        assertThat(saved.resolve("model.safetensors")).doesNotExist();
        first.step();                                         // work after the checkpoint is lost

        Trainer resumed = trainer(f, 6);
        Checkpoints.restore(resumed, saved);
        assertThat(resumed.stepsDone()).isEqualTo(3);
        while (!resumed.finished()) resumed.step();
        assertThat(Arrays.equals(resumed.model().parameters().values(), straight.model().parameters().values())).as("adapters after resume, bit for bit").isTrue();
        assertThat(Arrays.equals(resumed.optimizer().secondMoments(), straight.optimizer().secondMoments())).isTrue();
    }

    @ParameterizedTest
    @MethodSource("families")
    void aCheckpointOfOtherAdaptersIsRefused(LoraModels.Family f) throws IOException {
        Trainer first = trainer(f, 2);
        first.step();
        Path saved = new Checkpoints(dir, 2, 0).save(first);
        LanguageModel other = f.base(1).withLora(new LoraConfig(4, 2f, 0.1f, f.modules()), 3);
        Trainer t = new Trainer(other, first.config(), new NextTokenObjective(other, new RandomWindows(TokenShard.of(stream(2000, 1)), 8, 11)), GradientReducer.LOCAL);
        assertThatThrownBy(() -> Checkpoints.restore(t, saved)).isInstanceOf(FormatException.class)
                .hasMessageContaining(PeftAdapters.CONFIG + ": the checkpoint's LoRA config");
        Files.delete(saved.resolve(PeftAdapters.CONFIG));
        assertThatThrownBy(() -> Checkpoints.restore(trainer(f, 2), saved)).isInstanceOf(FormatException.class)
                .hasMessageContaining(PeftAdapters.CONFIG + ": not found");
    }
}
