package io.cpo4j.model.train;

import io.cpo4j.engine.io.FormatException;
import io.cpo4j.model.data.RandomWindows;
import io.cpo4j.model.data.TokenShard;
import io.cpo4j.model.gpt.Gpt;
import io.cpo4j.model.llama.Llama;
import io.cpo4j.model.llama.LlamaConfig;
import io.cpo4j.model.lm.LanguageModel;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** TrainConfig's gradient_checkpointing: the Trainer turns it on, and AdamW steps end on the same parameters bit for bit. */
class GradientCheckpointingTrainingTest {

    private static Trainer trainer(LanguageModel model, boolean checkpointing) {
        TrainConfig config = TrainerTest.config(4).toBuilder().gradientCheckpointing(checkpointing).build();
        return new Trainer(model, config, new NextTokenObjective(model, new RandomWindows(TokenShard.of(TrainerTest.stream(3000, 1)), 16, 11)),
                GradientReducer.LOCAL);
    }

    private static float[] train(LanguageModel model, boolean checkpointing) {
        Trainer t = trainer(model, checkpointing);
        assertThat(model.gradientCheckpointing()).isEqualTo(checkpointing);
        while (!t.finished()) t.step();
        return model.parameters().values().clone();
    }

    @Test
    void fourAdamWStepsOfGpt2WithDropoutEndOnTheSameParameters() {
        float[] stored = train(Gpt.create(TrainerTest.MODEL, 5), false);
        float[] recomputed = train(Gpt.create(TrainerTest.MODEL, 5), true);
        assertThat(Arrays.equals(recomputed, stored)).as("parameters after 4 steps, bit for bit").isTrue();
        assertThat(Arrays.equals(stored, Gpt.create(TrainerTest.MODEL, 5).parameters().values())).as("training moved them").isFalse();
    }

    @Test
    void fourAdamWStepsOfLlamaEndOnTheSameParameters() {
        LlamaConfig c = LlamaConfig.llama(37, 16, 2, 16, 32, 4, 2, true);
        assertThat(Arrays.equals(train(Llama.create(c, 5), true), train(Llama.create(c, 5), false))).isTrue();
    }

    @Test
    void theOptionRoundTripsThroughJsonAndABadValueNamesTheField() throws FormatException {
        TrainConfig on = TrainConfig.builder().gradientCheckpointing(true).build();
        assertThat(on.toJson()).containsEntry("gradient_checkpointing", true);
        assertThat(TrainConfig.fromJson(on.toJson(), TrainConfig.defaults(), "x")).isEqualTo(on);
        assertThat(TrainConfig.defaults().gradientCheckpointing()).isFalse();
        assertThat(on.toBuilder().build().gradientCheckpointing()).isTrue();
        assertThatThrownBy(() -> TrainConfig.fromJson(Map.of("gradient_checkpointing", "yes"), on, "run.json"))
                .isInstanceOf(FormatException.class).hasMessageContaining("run.json").hasMessageContaining("gradient_checkpointing");
    }
}
