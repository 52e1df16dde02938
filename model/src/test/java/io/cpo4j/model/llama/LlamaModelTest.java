package io.cpo4j.model.llama;

import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.Rng;
import io.cpo4j.engine.Tensor;
import io.cpo4j.model.gen.Generation;
import io.cpo4j.model.gen.GenerationConfig;
import io.cpo4j.model.gen.Generator;
import io.cpo4j.model.gen.Sampling;
import io.cpo4j.model.lm.Decoder;
import io.cpo4j.model.lm.KvCache;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Llama family's model: the KV-cache decoder agrees with the training forward, every variant trains, shapes are checked. */
class LlamaModelTest {

    static final int V = 53;

    /** Llama with GQA and llama3 rope scaling; Qwen2 with q/k/v biases, tied; Qwen3 with q/k norm and a head_dim ≠ width/heads; Mistral. */
    static Stream<LlamaConfig> variants() {
        return Stream.of(
                new LlamaConfig("llama", V, 24, 2, 24, 40, 4, 2, 6, 1e-5f, 10000, RopeScaling.llama3(8, 1, 4, 8), false, false, false, false),
                new LlamaConfig("qwen2", V, 24, 2, 24, 40, 4, 2, 6, 1e-6f, 1e6, RopeScaling.NONE, true, false, false, true),
                new LlamaConfig("qwen3", V, 24, 2, 24, 40, 4, 1, 8, 1e-6f, 1e6, RopeScaling.NONE, false, false, true, false),
                new LlamaConfig("mistral", V, 24, 2, 24, 40, 6, 3, 4, 1e-5f, 1e4, RopeScaling.linear(2), false, false, false, false));
    }

    /** A random model with sharper-than-initial weights so that the logits differ visibly. */
    static Llama model(LlamaConfig c, long seed) {
        Llama m = Llama.create(c, seed);
        float[] w = m.parameters().values();
        Rng rng = new Rng(seed + 1);
        for (int i = 0; i < w.length; i++) w[i] += (float) (rng.nextGaussian() * 0.1);
        m.setTraining(false);
        return m;
    }

    static float[] lastLogits(Llama m, int[] seq) {
        try (var s = Autograd.noGrad()) {
            float[] all = m.logits(seq, 1, seq.length).toArray();
            return Arrays.copyOfRange(all, (seq.length - 1) * V, seq.length * V);
        }
    }

    static void assertClose(String what, float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < actual.length; i++) {
            assertThat((double) Math.abs(actual[i] - expected[i])).as("%s [%d]: %s vs %s", what, i, actual[i], expected[i])
                    .isLessThanOrEqualTo(2e-5 * Math.max(1, Math.abs(expected[i])));
        }
    }

    @ParameterizedTest
    @MethodSource("variants")
    void cachedDecodingMatchesRecomputingTheWholeSequence(LlamaConfig c) {
        Llama m = model(c, 3);
        Decoder dec = m.decoder();
        KvCache cache = dec.newCache(c.contextLength());
        int[] seq = {3, 14, 15, 9, 26};
        float[] prefill = dec.forward(new KvCache[] {cache}, new int[][] {seq}, true);
        float[] full;
        try (var s = Autograd.noGrad()) {
            full = m.logits(seq, 1, seq.length).toArray();
        }
        assertClose(c.modelType() + " prefill", prefill, full);
        int[] grown = seq;
        for (int step = 0; grown.length < c.contextLength(); step++) {
            int next = (7 * step + 5) % V;
            grown = Arrays.copyOf(grown, grown.length + 1);
            grown[grown.length - 1] = next;
            float[] logits = dec.forward(new KvCache[] {cache}, new int[][] {{next}}, false);
            assertClose(c.modelType() + " step " + step, logits, lastLogits(m, grown));
        }
        assertThat(cache.length()).isEqualTo(c.contextLength());
    }

    @ParameterizedTest
    @MethodSource("variants")
    void raggedBatchesGiveWhatEachSequenceGivesAlone(LlamaConfig c) {
        Llama m = model(c, 4);
        Decoder dec = m.decoder();
        int[][] prompts = {{1, 2, 3, 4, 5, 6, 7}, {9}, {40, 41, 42}};
        KvCache[] caches = {dec.newCache(16), dec.newCache(16), dec.newCache(16)};
        float[] together = dec.forward(caches, prompts, false);                  // (3, V)
        for (int s = 0; s < prompts.length; s++) {
            assertClose(c.modelType() + " sequence " + s, Arrays.copyOfRange(together, s * V, (s + 1) * V), lastLogits(m, prompts[s]));
        }
    }

    @ParameterizedTest
    @MethodSource("variants")
    void everyParameterGetsAGradientAndAFewStepsLowerTheLoss(LlamaConfig c) {
        Llama m = Llama.create(c, 5);
        int b = 2, t = 12;
        int[] ids = new int[b * t], targets = new int[b * t];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (i * 5 + 1) % V;
            targets[i] = (ids[i] * 3 + 2) % V;
        }
        m.parameters().zeroGrad();
        Tensor loss = m.loss(ids, targets, b, t);
        double first = loss.item();
        assertThat(first).isCloseTo(Math.log(V), org.assertj.core.data.Offset.offset(0.2));   // near-uniform at initialisation
        loss.backward();
        for (Tensor p : m.parameters().list()) {
            double norm = 0;
            for (float g : p.grad().toArray()) norm += g * g;
            assertThat(norm).as("gradient of " + p.name()).isGreaterThan(0);
        }
        var opt = new io.cpo4j.engine.optim.AdamW(m.parameters(), 0.9f, 0.95f, 1e-8f, 0f);
        double last = first;
        for (int step = 0; step < 20; step++) {
            m.parameters().zeroGrad();
            Tensor l = m.loss(ids, targets, b, t);
            last = l.item();
            l.backward();
            opt.step(3e-3f);
        }
        assertThat(last).isLessThan(first * 0.7);
    }

    @Test
    void generationWithTheKvCacheEqualsGreedyArgmaxOfTheFullForward() {
        LlamaConfig c = variants().findFirst().orElseThrow();
        Llama m = model(c, 6);
        int[] prompt = {5, 6, 7};
        Generation g = new Generator(m).generate(List.of(prompt), GenerationConfig.of(8, Sampling.greedyDecoding(), 1)).get(0);
        int[] seq = prompt;
        for (int token : g.tokens()) {
            float[] logits = lastLogits(m, seq);
            int argmax = 0;
            for (int i = 1; i < V; i++) if (logits[i] > logits[argmax]) argmax = i;
            assertThat(token).isEqualTo(argmax);
            seq = Arrays.copyOf(seq, seq.length + 1);
            seq[seq.length - 1] = token;
        }
    }

    @Test
    void inputsOutsideTheShapeAreRefusedWithThePosition() {
        Llama m = model(variants().findFirst().orElseThrow(), 1);
        assertThatThrownBy(() -> m.logits(new int[] {1, 2, V}, 1, 3)).hasMessageContaining("llama input: token id " + V + " at position 2");
        assertThatThrownBy(() -> m.logits(new int[25], 1, 25)).hasMessageContaining("exceeds the context length 24");
        assertThatThrownBy(() -> LlamaConfig.tiny().withDropout(0.1f)).hasMessageContaining("no dropout");
        assertThatThrownBy(() -> new LlamaConfig("llama", V, 24, 2, 24, 40, 4, 3, 6, 1e-5f, 1e4, RopeScaling.NONE, false, false, false, true))
                .hasMessageContaining("num_key_value_heads (3) must divide num_attention_heads (4)");
    }

    @Test
    void presetsHaveTheRealModelsParameterCounts() {
        // Published sizes: SmolLM2-135M 134.5M, SmolLM2-360M 361.8M, Qwen2.5-0.5B 494.0M, Llama 3.2 1B 1235.8M, OpenLLaMA 3B 3426.5M.
        assertThat(LlamaConfig.smollm2_135m().parameterCount()).isEqualTo(134_515_008L);
        assertThat(LlamaConfig.smollm2_360m().parameterCount()).isEqualTo(361_821_120L);
        assertThat(LlamaConfig.qwen25_05b().parameterCount()).isEqualTo(494_032_768L);
        assertThat(LlamaConfig.llama32_1b().parameterCount()).isEqualTo(1_235_814_400L);
        assertThat(LlamaConfig.openLlama3b().parameterCount()).isEqualTo(3_426_473_600L);
    }
}
