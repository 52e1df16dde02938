package io.cpo4j.model.lm;

import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.Rng;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.kernels.Parallel;
import io.cpo4j.model.gpt.GptConfig;
import io.cpo4j.model.llama.LlamaConfig;
import io.cpo4j.model.llama.RopeScaling;
import io.cpo4j.model.lora.LoraConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** Recomputing each block in the backward pass gives the stored graph's gradients, bit for bit. */
class GradientCheckpointingTest {

    private final int defaultThreads = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(defaultThreads);
    }

    static final GptConfig GPT = new GptConfig(61, 32, 3, 2, 16, 0.1f, 1e-5f);
    /** Four query heads sharing two K/V heads. */
    static final LlamaConfig LLAMA = LlamaConfig.llama(61, 32, 3, 32, 48, 4, 2, false);
    /** Qwen3-like: q/k norms over each head (views of the block's tensors) and q/k/v biases. */
    static final LlamaConfig QWEN3 = new LlamaConfig("qwen3", 61, 32, 2, 32, 48, 4, 2, 8, 1e-6f, 1e6, RopeScaling.NONE,
            true, false, true, true);

    private static int[] tokens(int n, long seed) {
        Rng rng = new Rng(seed);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = rng.nextInt(61);
        return t;
    }

    /** Loss, flat gradients and dropout state after two accumulated micro-batches (B = 3, T = 20). */
    private record Step(float[] losses, float[] grads, long rngState) {}

    private static Step step(ModelConfig config, boolean checkpointing, int threads) {
        return step(config, null, checkpointing, threads);
    }

    /** With {@code lora}: the adapted model, its adapters (A and B) filled with random values, so both get gradients. */
    private static Step step(ModelConfig config, LoraConfig lora, boolean checkpointing, int threads) {
        Parallel.setThreads(threads);
        LanguageModel model = config.create(3);
        if (lora != null) {
            model = model.withLora(lora, 4);
            Rng rng = new Rng(9);
            float[] v = model.parameters().values();
            for (int i = 0; i < v.length; i++) v[i] = (float) (rng.nextGaussian() * 0.1);
        }
        model.setGradientCheckpointing(checkpointing);
        assertThat(model.gradientCheckpointing()).isEqualTo(checkpointing);
        model.setTraining(true);
        float[] losses = new float[2];
        for (int micro = 0; micro < 2; micro++) {
            int[] ids = tokens(60, 10 + micro), targets = tokens(60, 20 + micro);
            targets[7] = -100;
            Tensor loss = model.loss(ids, targets, 3, 20);
            losses[micro] = loss.item();
            Autograd.backwardAndRecycle(loss, new float[] {1f});
        }
        return new Step(losses, model.parameters().grads().clone(), model.dropoutRng().state());
    }

    private static void assertBitIdentical(ModelConfig config, int threads) {
        assertBitIdentical(config, null, threads);
    }

    private static void assertBitIdentical(ModelConfig config, LoraConfig lora, int threads) {
        Step stored = step(config, lora, false, threads), recomputed = step(config, lora, true, threads);
        assertThat(recomputed.losses()).containsExactly(stored.losses());
        assertThat(Arrays.equals(recomputed.grads(), stored.grads())).as(config.modelType() + " gradients, bit for bit").isTrue();
        assertThat(recomputed.rngState()).isEqualTo(stored.rngState());
        float max = 0;
        for (float g : stored.grads()) max = Math.max(max, Math.abs(g));
        assertThat(max).isGreaterThan(0f);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void gpt2WithDropoutGetsBitIdenticalGradients(int threads) {
        assertBitIdentical(GPT, threads);
    }

    /** LoRA adapters with their own dropout, on a frozen base: the adapters' gradients, bit for bit. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void loraAdaptersGetBitIdenticalGradients(int threads) {
        assertBitIdentical(GPT, new LoraConfig(4, 8f, 0.1f, java.util.List.of("c_attn", "c_proj", "c_fc")), threads);
        assertBitIdentical(LLAMA, new LoraConfig(4, 8f, 0.1f,
                java.util.List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")), threads);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void llamaWithGroupedQueryAttentionGetsBitIdenticalGradients(int threads) {
        assertBitIdentical(LLAMA, threads);
    }

    @Test
    void qwen3WithPerHeadNormsGetsBitIdenticalGradients() {
        assertBitIdentical(QWEN3, 2);
    }

    @Test
    void twoAndOneThreadsAgreeWithCheckpointing() {
        assertThat(step(GPT, true, 2).grads()).containsExactly(step(GPT, true, 1).grads());
    }

    @Test
    void evaluationIsUnchanged() {
        for (ModelConfig config : new ModelConfig[] {GPT, LLAMA}) {
            LanguageModel plain = config.create(4), checkpointed = config.create(4);
            checkpointed.setGradientCheckpointing(true);
            int[] ids = tokens(40, 5);
            plain.setTraining(false);
            checkpointed.setTraining(false);
            try (var scope = Autograd.noGrad()) {
                assertThat(checkpointed.logits(ids, 2, 20).toArray()).containsExactly(plain.logits(ids, 2, 20).toArray());
            }
            // evaluation mode with a graph (scoring for a loss): the same values too
            assertThat(checkpointed.logits(ids, 2, 20).toArray()).containsExactly(plain.logits(ids, 2, 20).toArray());
        }
    }

    @Test
    void theEstimateKeepsEachBlockInputAndOneBlock() {
        GptConfig c = new GptConfig(100, 64, 4, 2, 32, 0f, 1e-5f);
        // per token and layer: 18·C + heads·T = 18·32 + 2·64 = 704 floats; per token at the top: 4·C + 2·V = 328;
        // 2 × 64 = 128 tokens, values and gradients of 4 bytes each: 8 bytes a float.
        // stored:       128 · 8 · (4·704 + 328)      = 3,219,456 bytes
        // recomputed:   128 · 8 · (4·32 + 704 + 328) = 1,187,840 bytes
        MemoryEstimate stored = MemoryEstimate.training(c, 2, 64), recomputed = MemoryEstimate.training(c, 2, 64, true);
        assertThat(stored.activationBytes()).isEqualTo(3_219_456L);
        assertThat(recomputed.activationBytes()).isEqualTo(1_187_840L);
        assertThat(recomputed.parameterBytes()).isEqualTo(stored.parameterBytes());
        assertThat(recomputed.optimizerBytes()).isEqualTo(stored.optimizerBytes());
        assertThat(MemoryEstimate.training(c, 2, 64, false)).isEqualTo(stored);
    }

    /** Prints (asserts nothing about) GPT-2 124M's estimate at batch 4 × 256, with and without. */
    @Test
    void printsTheGpt2EstimateAtBatch4x256() {
        GptConfig c = GptConfig.gpt2();
        MemoryEstimate stored = MemoryEstimate.training(c, 4, 256), recomputed = MemoryEstimate.training(c, 4, 256, true);
        System.out.printf(java.util.Locale.ROOT, "GPT-2 124M, 4 x 256: activations %.1f MiB stored, %.1f MiB recomputed; total %.1f / %.1f MiB%n",
                stored.activationBytes() / 1048576.0, recomputed.activationBytes() / 1048576.0,
                stored.totalBytes() / 1048576.0, recomputed.totalBytes() / 1048576.0);
        assertThat(recomputed.activationBytes()).isLessThan(stored.activationBytes());
    }
}
