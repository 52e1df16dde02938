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

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Rows continuing shared prefixes give the logits, and the parameter gradients, of the same
 * tokens run behind their prefix one sequence at a time — for GPT-2 and the Llama family, with and
 * without LoRA, prefixes of different lengths (one empty) in one batch, and several rows per prefix.
 */
class SharedPrefixForwardTest {

    private static final int V = 41;
    private final int defaultThreads = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(defaultThreads);
    }

    static final GptConfig GPT = new GptConfig(V, 32, 2, 2, 16, 0f, 1e-5f);
    static final LlamaConfig LLAMA = LlamaConfig.llama(V, 32, 2, 32, 48, 4, 2, false);
    static final LlamaConfig QWEN3 = new LlamaConfig("qwen3", V, 32, 2, 32, 48, 4, 2, 8, 1e-6f, 1e6, RopeScaling.NONE, true, false, true, true);

    // prefixes of lengths 6, 0, 3 (padded to 6); rows of 5 steps: two continue prefix 0, one prefix 1, three prefix 2
    private static final int[] LENGTHS = {6, 0, 3};
    private static final int[] PREFIX_OF = {0, 2, 0, 1, 2, 2};
    private static final int P = 6, T = 5;

    private static int[] tokens(int n, long seed) {
        Rng rng = new Rng(seed);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = rng.nextInt(V);
        return t;
    }

    private static LanguageModel model(ModelConfig config, boolean lora) {
        LanguageModel m = config.create(5);
        float[] w = m.parameters().values();
        Rng rng = new Rng(6);
        for (int i = 0; i < w.length; i++) w[i] += (float) (rng.nextGaussian() * 0.1);   // sharper than at initialisation
        if (lora) {
            List<String> modules = config instanceof GptConfig ? List.of("c_attn", "c_proj", "c_fc") : List.of("q_proj", "k_proj", "v_proj", "o_proj", "down_proj");
            m = m.withLora(new LoraConfig(4, 8f, 0.1f, modules), 7);
            float[] a = m.parameters().values();
            for (int i = 0; i < a.length; i++) a[i] = (float) (rng.nextGaussian() * 0.2);     // B ≠ 0: the adapters matter
        }
        m.setTraining(false);
        return m;
    }

    /** Logits (R·T·V) and flat parameter gradients of Σ weights · logits. */
    private record Run(float[] logits, float[] grads) {}

    private static float[] weights() {
        Rng rng = new Rng(8);
        float[] w = new float[PREFIX_OF.length * T * V];
        for (int i = 0; i < w.length; i++) w[i] = (float) rng.nextGaussian();
        return w;
    }

    private static Run shared(LanguageModel m, int[] prefixIds, int[] rowIds) {
        m.parameters().zeroGrad();
        SharedPrefixes p = m.sharedPrefixes(prefixIds, LENGTHS, P);
        Tensor logits = m.logitsAfterPrefix(p, rowIds, PREFIX_OF.length, T, PREFIX_OF);
        assertThat(logits.shape()).containsExactly(PREFIX_OF.length, T, V);
        float[] out = logits.toArray();
        Autograd.backward(logits, weights());
        return new Run(out, m.parameters().grads().clone());
    }

    /** Each row behind its prefix, one sequence at a time, gradients accumulated over the rows. */
    private static Run unshared(LanguageModel m, int[] prefixIds, int[] rowIds) {
        m.parameters().zeroGrad();
        float[] w = weights(), out = new float[w.length];
        for (int r = 0; r < PREFIX_OF.length; r++) {
            int n = LENGTHS[PREFIX_OF[r]];
            int[] seq = new int[n + T];
            System.arraycopy(prefixIds, PREFIX_OF[r] * P, seq, 0, n);
            System.arraycopy(rowIds, r * T, seq, n, T);
            Tensor logits = m.logits(seq, 1, n + T);
            float[] all = logits.toArray(), g = new float[all.length];
            System.arraycopy(all, n * V, out, r * T * V, T * V);
            System.arraycopy(w, r * T * V, g, n * V, T * V);
            Autograd.backward(logits, g);
        }
        return new Run(out, m.parameters().grads().clone());
    }

    private static void assertSameAsUnshared(ModelConfig config, boolean lora) {
        LanguageModel m = model(config, lora);
        int[] prefixIds = tokens(LENGTHS.length * P, 11), rowIds = tokens(PREFIX_OF.length * T, 12);
        Run s = shared(m, prefixIds, rowIds), u = unshared(m, prefixIds, rowIds);
        String what = config.modelType() + (lora ? " with LoRA" : "");
        assertClose(what + " logits", s.logits(), u.logits(), 2e-5);
        assertClose(what + " parameter gradients", s.grads(), u.grads(), 1e-4);
        assertThat(maxAbs(s.grads())).as(what + ": gradients reach the parameters").isGreaterThan(1e-3);
    }

    /** |a − b| ≤ rel · max|b| element-wise. */
    static void assertClose(String what, float[] a, float[] b, double rel) {
        assertThat(a).as(what + ": length").hasSameSizeAs(b);
        double tol = rel * maxAbs(b);
        for (int i = 0; i < a.length; i++) {
            assertThat((double) Math.abs(a[i] - b[i])).as("%s: element %d, shared %s vs unshared %s", what, i, a[i], b[i]).isLessThanOrEqualTo(tol);
        }
    }

    static double maxAbs(float[] x) {
        double m = 0;
        for (float v : x) m = Math.max(m, Math.abs(v));
        return m;
    }

    @Test
    void gptMatchesRowsRunBehindTheirPrefixes() {
        assertSameAsUnshared(GPT, false);
        assertSameAsUnshared(GPT, true);
    }

    @Test
    void llamaWithGroupedQueriesMatchesRowsRunBehindTheirPrefixes() {
        assertSameAsUnshared(LLAMA, false);
        assertSameAsUnshared(LLAMA, true);
    }

    @Test
    void qwen3WithHeadNormsAndBiasesMatchesRowsRunBehindTheirPrefixes() {
        assertSameAsUnshared(QWEN3, false);
        assertSameAsUnshared(QWEN3, true);
    }

    @Test
    void emptyPrefixesOnlyAreRowsOnTheirOwn() {
        LanguageModel m = model(LLAMA, false);
        int[] rowIds = tokens(2 * T, 13);
        SharedPrefixes none = m.sharedPrefixes(new int[0], new int[] {0}, 0);
        float[] shared = m.logitsAfterPrefix(none, rowIds, 2, T, new int[] {0, 0}).toArray();
        assertClose("empty prefixes", shared, m.logits(rowIds, 2, T).toArray(), 1e-6);
    }

    @Test
    void oneAndTwoThreadsGiveTheSameBits() {
        int[] prefixIds = tokens(LENGTHS.length * P, 14), rowIds = tokens(PREFIX_OF.length * T, 15);
        for (ModelConfig config : new ModelConfig[] {GPT, LLAMA}) {
            Parallel.setThreads(1);
            Run one = shared(model(config, true), prefixIds, rowIds);
            Parallel.setThreads(2);
            Run two = shared(model(config, true), prefixIds, rowIds);
            assertThat(two.logits()).as(config.modelType() + " logits").containsExactly(one.logits());
            assertThat(two.grads()).as(config.modelType() + " gradients").containsExactly(one.grads());
        }
    }

    @Test
    void refusesPrefixesOfAnotherModelAndBadInput() {
        LanguageModel base = model(GPT, false), adapted = base.withLora(LoraConfig.of(2, 4f, "c_attn"), 1);
        SharedPrefixes p = base.sharedPrefixes(tokens(4, 16), new int[] {4}, 4);
        assertThatThrownBy(() -> adapted.logitsAfterPrefix(p, tokens(3, 17), 1, 3, new int[] {0})).hasMessageContaining("another model");
        assertThatThrownBy(() -> base.logitsAfterPrefix(p, tokens(3, 17), 1, 3, new int[] {1})).hasMessageContaining("row 0 continues prefix 1");
        assertThatThrownBy(() -> base.sharedPrefixes(tokens(4, 16), new int[] {5}, 4)).hasMessageContaining("prefix 0 has length 5");
        assertThatThrownBy(() -> base.sharedPrefixes(new int[] {0, V}, new int[] {2}, 2)).hasMessageContaining("token id " + V + " at position 1");
    }
}
