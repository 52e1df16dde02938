package io.cpo4j.model.lora;

import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.Rng;
import io.cpo4j.engine.Tensor;
import io.cpo4j.model.gpt.Gpt;
import io.cpo4j.model.gpt.GptConfig;
import io.cpo4j.model.llama.Llama;
import io.cpo4j.model.llama.LlamaConfig;
import io.cpo4j.model.llama.RopeScaling;
import io.cpo4j.model.lm.LanguageModel;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Small models of each family with LoRA on every projection the family has, for the LoRA tests. */
final class LoraModels {

    static final int V = 37;

    /** One family: a name for the test report, a base model's config, and every PEFT module name it has. */
    record Family(String name, Object config, List<String> modules) {
        @Override
        public String toString() {
            return name;
        }

        /** A random base with weights sharper than at initialisation, in evaluation mode. */
        LanguageModel base(long seed) {
            LanguageModel m = config instanceof GptConfig g ? Gpt.create(g, seed) : Llama.create((LlamaConfig) config, seed);
            float[] w = m.parameters().values();
            Rng rng = new Rng(seed + 1);
            for (int i = 0; i < w.length; i++) w[i] += (float) (rng.nextGaussian() * 0.1);
            m.setTraining(false);
            return m;
        }

        LoraConfig lora(float dropout) {
            return new LoraConfig(4, 8f, dropout, modules);
        }
    }

    static Stream<Family> families() {
        return Stream.of(
                new Family("gpt2", new GptConfig(V, 16, 2, 2, 16, 0f, 1e-5f), List.of("c_attn", "c_proj", "c_fc")),
                new Family("llama-gqa", new LlamaConfig("llama", V, 16, 2, 24, 40, 4, 2, 6, 1e-5f, 10000, RopeScaling.NONE, false, false, false, false),
                        List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")),
                new Family("qwen2-biases-tied", new LlamaConfig("qwen2", V, 16, 2, 24, 40, 4, 2, 6, 1e-6f, 1e6, RopeScaling.NONE, true, false, false, true),
                        List.of("q_proj", "v_proj", "down_proj")));
    }

    /** Gives every B random values, so the adapters change the outputs (fresh adapters, B = 0, do not). */
    static LanguageModel withRandomB(LanguageModel adapted, long seed) {
        Rng rng = new Rng(seed);
        for (Tensor p : adapted.parameters().list()) {
            if (!p.name().endsWith("lora_B.weight")) continue;
            for (int i = 0; i < p.size(); i++) p.data()[p.offset() + i] = (float) (rng.nextGaussian() * 0.2);
        }
        return adapted;
    }

    /** A (2, 8) batch: 16 rows, so every projection runs as a GEMM whether or not a graph is recorded. */
    static final int B = 2, T = 8;

    static int[] ids(long seed) {
        Rng rng = new Rng(seed);
        int[] ids = new int[B * T];
        for (int i = 0; i < ids.length; i++) ids[i] = rng.nextInt(V);
        return ids;
    }

    static float[] logits(LanguageModel m, int[] ids) {
        try (var s = Autograd.noGrad()) {
            return m.logits(ids, ids.length / T, T).toArray();
        }
    }

    static void assertClose(String what, float[] actual, float[] expected, double rel) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < actual.length; i++) {
            assertThat((double) Math.abs(actual[i] - expected[i])).as("%s [%d]: %s vs %s", what, i, actual[i], expected[i])
                    .isLessThanOrEqualTo(rel * Math.max(1, Math.abs(expected[i])));
        }
    }

    private LoraModels() {}
}
