package io.cpo4j.model.lora;

import io.cpo4j.engine.Tensor;
import io.cpo4j.model.gen.Generation;
import io.cpo4j.model.gen.GenerationConfig;
import io.cpo4j.model.gen.Generator;
import io.cpo4j.model.gen.Sampling;
import io.cpo4j.model.gpt.Gpt;
import io.cpo4j.model.gpt.GptConfig;
import io.cpo4j.model.lm.Decoder;
import io.cpo4j.model.lm.KvCache;
import io.cpo4j.model.lm.LanguageModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.List;

import static io.cpo4j.model.lora.LoraModels.T;
import static io.cpo4j.model.lora.LoraModels.V;
import static io.cpo4j.model.lora.LoraModels.assertClose;
import static io.cpo4j.model.lora.LoraModels.ids;
import static io.cpo4j.model.lora.LoraModels.logits;
import static io.cpo4j.model.lora.LoraModels.withRandomB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The adapted forward, backward, merge and decoder, for GPT-2 and the Llama family. */
class LoraModelTest {

    static java.util.stream.Stream<LoraModels.Family> families() {
        return LoraModels.families();
    }

    @ParameterizedTest
    @MethodSource("families")
    void freshAdaptersGiveTheBaseBitForBitAndTrainOnlyThemselves(LoraModels.Family f) {
        LanguageModel base = f.base(1);
        int[] ids = ids(2);
        float[] before = logits(base, ids);
        LanguageModel adapted = base.withLora(f.lora(0f), 3);

        assertThat(Arrays.equals(logits(adapted, ids), before)).as("B = 0: the adapted model is the base, bit for bit").isTrue();
        assertThat(adapted.withoutAdapters()).isSameAs(base);
        assertThat(base.withoutAdapters()).isSameAs(base);
        assertThat(adapted.lora()).contains(f.lora(0f));
        for (Tensor p : base.parameters().list()) assertThat(p.requiresGrad()).as("base %s frozen", p.name()).isFalse();
        long expected = 0;
        for (Tensor p : adapted.parameters().list()) {
            assertThat(p.name()).matches(".*\\.lora_[AB]\\.weight");
            assertThat(p.requiresGrad()).isTrue();
            Tensor w = base.parameters().get(LoraAdapters.baseWeightName(p.name()));
            expected += p.name().endsWith("lora_A.weight") ? 4L * w.size(1) : 4L * w.size(0);
            if (p.name().endsWith("lora_A.weight")) {                      // PEFT's Kaiming-uniform: within ±1/√in, and not all zero
                double bound = 1 / Math.sqrt(w.size(1)), max = 0;
                for (float v : p.toArray()) max = Math.max(max, Math.abs(v));
                assertThat(max).isLessThanOrEqualTo(bound).isGreaterThan(bound / 2);
                assertThat(p.shape()).containsExactly(4, w.size(1));
            } else {
                assertThat(p.toArray()).containsOnly(0f);
                assertThat(p.shape()).containsExactly(w.size(0), 4);
            }
        }
        assertThat((long) adapted.parameters().count()).isEqualTo(expected);
    }

    @ParameterizedTest
    @MethodSource("families")
    void disabledAdaptersGiveTheBaseBitForBit(LoraModels.Family f) {
        LanguageModel base = f.base(1);
        int[] ids = ids(2);
        float[] before = logits(base, ids);
        LanguageModel adapted = withRandomB(base.withLora(f.lora(0f), 3), 4);
        float[] with = logits(adapted, ids);
        double diff = 0;
        for (int i = 0; i < with.length; i++) diff = Math.max(diff, Math.abs(with[i] - before[i]));
        assertThat(diff).as("the adapters change the logits").isGreaterThan(1e-2);
        assertThat(Arrays.equals(logits(adapted.withoutAdapters(), ids), before)).isTrue();
    }

    /** Every adapter tensor's gradient against central differences of the loss, at its largest and at random elements. */
    @ParameterizedTest
    @MethodSource("families")
    void adapterGradientsMatchFiniteDifferences(LoraModels.Family f) {
        LanguageModel adapted = withRandomB(f.base(1).withLora(f.lora(0f), 3), 4);
        int[] ids = ids(5), targets = ids(6);
        adapted.parameters().zeroGrad();
        adapted.loss(ids, targets, LoraModels.B, T).backward();
        float[] grads = adapted.parameters().grads().clone(), values = adapted.parameters().values();
        io.cpo4j.engine.Rng rng = new io.cpo4j.engine.Rng(7);
        for (int i = 0; i < adapted.parameters().list().size(); i++) {
            Tensor p = adapted.parameters().list().get(i);
            int off = adapted.parameters().offset(i);
            int largest = off;
            for (int j = off; j < off + p.size(); j++) if (Math.abs(grads[j]) > Math.abs(grads[largest])) largest = j;
            assertThat(Math.abs(grads[largest])).as("%s has a gradient", p.name()).isGreaterThan(1e-4f);
            for (int j : new int[] {largest, off + rng.nextInt(p.size()), off + rng.nextInt(p.size())}) {
                float keep = values[j];
                double h = 1e-2;
                values[j] = (float) (keep + h);
                double plus = lossNoGrad(adapted, ids, targets);
                values[j] = (float) (keep - h);
                double minus = lossNoGrad(adapted, ids, targets);
                values[j] = keep;
                double numeric = (plus - minus) / (2 * h);
                assertThat(Math.abs(grads[j] - numeric)).as("%s element %d: analytic %s, numeric %s", p.name(), j - off, grads[j], numeric)
                        .isLessThanOrEqualTo(0.02 * Math.abs(grads[largest]) + 2e-4);
            }
        }
    }

    private static double lossNoGrad(LanguageModel m, int[] ids, int[] targets) {
        try (var s = io.cpo4j.engine.Autograd.noGrad()) {
            return m.loss(ids, targets, LoraModels.B, T).item();
        }
    }

    @ParameterizedTest
    @MethodSource("families")
    void mergedModelEqualsTheAdaptedModel(LoraModels.Family f) {
        LanguageModel base = f.base(1);
        float[] baseValues = base.parameters().values().clone();
        LanguageModel adapted = withRandomB(base.withLora(f.lora(0f), 3), 4);
        LanguageModel merged = adapted.mergeAndUnload();
        int[] ids = ids(2);
        assertClose(f + " merged", logits(merged, ids), logits(adapted, ids), 1e-5);
        assertThat(merged.lora()).isEmpty();
        assertThat(merged).isNotSameAs(base);
        assertThat(Arrays.equals(base.parameters().values(), baseValues)).as("merging leaves the base as it was").isTrue();
        assertThat(merged.parameters().count()).isEqualTo(base.parameters().count());
        assertThat(base.mergeAndUnload()).isSameAs(base);
    }

    @ParameterizedTest
    @MethodSource("families")
    void theAdaptedDecoderIsTheAdaptedForward(LoraModels.Family f) {
        LanguageModel adapted = withRandomB(f.base(1).withLora(f.lora(0.2f), 3), 4);
        adapted.setTraining(true);                                  // the decoder never applies dropout, whatever the mode
        int[] prompt = {5, 6, 7};
        Decoder dec = adapted.decoder();
        float[] prefill = dec.forward(new KvCache[] {dec.newCache(16)}, new int[][] {prompt}, true);
        adapted.setTraining(false);
        float[] full;
        try (var s = io.cpo4j.engine.Autograd.noGrad()) {
            full = adapted.logits(prompt, 1, prompt.length).toArray();
        }
        assertClose(f + " prefill", prefill, full, 2e-5);

        Generation g = new Generator(adapted).generate(List.of(prompt), GenerationConfig.of(8, Sampling.greedyDecoding(), 1)).get(0);
        assertThat(g.tokens()).hasSize(8);
        int[] seq = prompt;
        for (int token : g.tokens()) {
            float[] all;
            try (var s = io.cpo4j.engine.Autograd.noGrad()) {
                all = adapted.logits(seq, 1, seq.length).toArray();
            }
            int argmax = 0, last = (seq.length - 1) * V;
            for (int i = 1; i < V; i++) if (all[last + i] > all[last + argmax]) argmax = i;
            assertThat(token).isEqualTo(argmax);
            seq = Arrays.copyOf(seq, seq.length + 1);
            seq[seq.length - 1] = token;
        }
    }

    /** lora_dropout applies while training only, with masks from the model's dropout generator, so a saved state replays them. */
    @ParameterizedTest
    @MethodSource("families")
    void adapterDropoutOnlyWhileTrainingAndReplayable(LoraModels.Family f) {
        LanguageModel adapted = withRandomB(f.base(1).withLora(f.lora(0.5f), 3), 4);
        int[] ids = ids(2);
        float[] eval = logits(adapted, ids);
        adapted.setTraining(true);
        long state = adapted.dropoutRng().state();
        float[] first = logits(adapted, ids);
        assertThat(adapted.dropoutRng().state()).isNotEqualTo(state);
        assertThat(Arrays.equals(first, eval)).as("dropout changes the training forward").isFalse();
        adapted.dropoutRng().setState(state);
        assertThat(Arrays.equals(logits(adapted, ids), first)).as("the same generator state, the same masks").isTrue();
        assertThat(Arrays.equals(logits(adapted.withoutAdapters(), ids), logits(f.base(1), ids))).isTrue();
        adapted.setTraining(false);
        assertThat(Arrays.equals(logits(adapted, ids), eval)).isTrue();
    }

    @ParameterizedTest
    @MethodSource("families")
    void copiesCopyTheAdaptersAndShareTheBase(LoraModels.Family f) {
        LanguageModel adapted = withRandomB(f.base(1).withLora(f.lora(0f), 3), 4);
        LanguageModel copy = adapted.copy();
        int[] ids = ids(2);
        assertThat(Arrays.equals(logits(copy, ids), logits(adapted, ids))).isTrue();
        assertThat(copy.withoutAdapters()).isSameAs(adapted.withoutAdapters());
        assertThat(copy.parameters().values()).isNotSameAs(adapted.parameters().values());
        float[] kept = adapted.parameters().values().clone();
        Arrays.fill(copy.parameters().values(), 0.5f);
        assertThat(Arrays.equals(adapted.parameters().values(), kept)).isTrue();
    }

    @Test
    void configsAndTargetsAreCheckedWithOneLineMessages() {
        assertThatThrownBy(() -> new LoraConfig(0, 8, 0, List.of("c_attn"))).hasMessage("LoRA config: r must be at least 1, got 0");
        assertThatThrownBy(() -> new LoraConfig(4, 0, 0, List.of("c_attn"))).hasMessageContaining("lora_alpha must be positive");
        assertThatThrownBy(() -> new LoraConfig(4, 8, 1f, List.of("c_attn"))).hasMessageContaining("lora_dropout must be in [0, 1)");
        assertThatThrownBy(() -> new LoraConfig(4, 8, 0, List.of())).hasMessageContaining("target_modules must name at least one module");
        assertThat(LoraConfig.of(4, 8, "c_attn", "c_attn").targetModules()).containsExactly("c_attn");
        assertThat(LoraConfig.of(16, 32, "q_proj").scale()).isEqualTo(2f);

        Gpt gpt = Gpt.create(new GptConfig(V, 16, 1, 2, 16, 0f, 1e-5f), 1);
        assertThatThrownBy(() -> gpt.withLora(LoraConfig.of(4, 8, "c_attn", "q_proj"), 1))
                .hasMessage("LoRA: target module 'q_proj' is not a GPT-2 projection; allowed: c_attn, c_proj, c_fc (or all-linear)");
        LanguageModel llama = LoraModels.families().skip(1).findFirst().orElseThrow().base(1);
        assertThatThrownBy(() -> llama.withLora(LoraConfig.of(4, 8, "c_attn"), 1))
                .hasMessage("LoRA: target module 'c_attn' is not a llama projection; allowed: q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj (or all-linear)");
        LanguageModel adapted = gpt.withLora(LoraConfig.of(4, 8, "c_proj"), 1);
        assertThat(adapted.parameters().list()).extracting(Tensor::name).containsExactly(
                "h.0.attn.c_proj.lora_A.weight", "h.0.attn.c_proj.lora_B.weight", "h.0.mlp.c_proj.lora_A.weight", "h.0.mlp.c_proj.lora_B.weight");
        assertThatThrownBy(() -> adapted.withLora(LoraConfig.of(4, 8, "c_fc"), 1)).hasMessageContaining("already has adapters");
    }

    /** PEFT's "all-linear" adapts every projection of the blocks (never the tied head) and is saved as the names it stands for. */
    @Test
    void allLinearIsEveryProjectionOfTheFamily() {
        Gpt gpt = Gpt.create(new GptConfig(V, 16, 1, 2, 16, 0f, 1e-5f), 1);
        LanguageModel all = gpt.withLora(LoraConfig.of(4, 8, LoraConfig.ALL_LINEAR), 1);
        assertThat(all.lora().orElseThrow().targetModules()).containsExactly("c_attn", "c_proj", "c_fc");
        assertThat(all.parameters().count()).isEqualTo(gpt.withoutAdapters().withLora(LoraConfig.of(4, 8, "c_attn", "c_proj", "c_fc"), 1).parameters().count());
        LanguageModel llama = LoraModels.families().skip(1).findFirst().orElseThrow().base(1);
        assertThat(llama.withLora(LoraConfig.of(4, 8, LoraConfig.ALL_LINEAR), 1).lora().orElseThrow().targetModules())
                .containsExactly("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");
        assertThatThrownBy(() -> LoraConfig.of(4, 8, "all-linear", "c_fc")).hasMessage("LoRA config: all-linear stands alone in target_modules, got [all-linear, c_fc]");
    }
}
