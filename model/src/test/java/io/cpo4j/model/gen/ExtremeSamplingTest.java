package io.cpo4j.model.gen;

import io.cpo4j.engine.Rng;
import io.cpo4j.model.gpt.Gpt;
import io.cpo4j.model.lm.Decoder;
import io.cpo4j.model.lm.KvCache;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Sampling at temperatures that overflow logits / T, and sizes that would overflow an int. */
class ExtremeSamplingTest {

    static final float[] LOGITS = {-3.5f, 2.25f, 7.0f, -0.5f, 6.75f, Float.NEGATIVE_INFINITY};

    @Test
    void tinyTemperaturesChooseTheMostLikelyTokenWithoutNaN() {
        for (float t : new float[] {1e-40f, Float.MIN_VALUE, 1e-31f}) {
            Sampling s = Sampling.temperature(t);
            assertThat(s.decodesGreedily()).as("T = %s", t).isTrue();
            Rng rng = new Rng(7);
            for (int i = 0; i < 20; i++) assertThat(TokenChooser.choose(LOGITS, 0, LOGITS.length, new int[0], 0, s, rng)).isEqualTo(2);
        }
    }

    @Test
    void whenLogitsOverTheTemperatureOverflowTheDistributionIsOneHotNotNaN() {
        // T above the greedy threshold, logits large enough that logits / T overflows a float
        float[] huge = {1e10f, -2e10f, 3e10f, 0f};
        double[] p = TokenChooser.allowedProbabilities(huge, Sampling.temperature(2e-29f));
        assertThat(p).containsExactly(0, 0, 1, 0);
        // negative logits that underflow to -Infinity are one-hot too (not "every token is banned")
        double[] q = TokenChooser.allowedProbabilities(new float[] {-1e10f, -3e10f}, Sampling.temperature(2e-29f));
        assertThat(q).containsExactly(1, 0);
        assertThatThrownBy(() -> TokenChooser.allowedProbabilities(new float[] {Float.NEGATIVE_INFINITY}, Sampling.temperature(1f)))
                .hasMessageContaining("every token is banned");
    }

    @Test
    void ordinaryTemperaturesGiveTheSameDistributionAsBefore() {
        double[] p = TokenChooser.allowedProbabilities(LOGITS, Sampling.temperature(0.7f));
        double max = 7.0f / 0.7f, sum = 0;
        double[] expected = new double[LOGITS.length];
        for (int i = 0; i < LOGITS.length - 1; i++) sum += expected[i] = Math.exp(LOGITS[i] / 0.7f - max);
        for (int i = 0; i < expected.length; i++) expected[i] /= sum;
        assertThat(p).containsExactly(expected);
        assertThat(Arrays.stream(p).sum()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void samplingAtATinyTemperatureGeneratesTheGreedyText() {
        Gpt gpt = GeneratorTest.model(3);
        int[] prompt = {1, 2, 3};
        Generation greedy = new Generator(gpt).generate(List.of(prompt), GenerationConfig.of(8, Sampling.greedyDecoding(), 5)).get(0);
        Generation cold = new Generator(gpt).generate(List.of(prompt), GenerationConfig.of(8, Sampling.temperature(1e-40f), 5)).get(0);
        assertThat(cold.tokens()).hasSize(8).containsExactly(greedy.tokens());
        for (float lp : cold.logProbs()) assertThat(lp).isFinite();
    }

    @Test
    void sizesThatOverflowAnIntAreClearErrorsNotNegativeCapacities() {
        Gpt gpt = GeneratorTest.model(1);
        Generator g = new Generator(gpt);
        GenerationConfig huge = GenerationConfig.of(Integer.MAX_VALUE, Sampling.greedyDecoding(), 1);
        assertThatThrownBy(() -> g.generate(List.of(new int[] {1, 2, 3, 4, 5}), huge))
                .hasMessage("generate: prompt 0 has 5 tokens; with 2147483647 new tokens it would exceed the context length 24 "
                        + "(shorten it, lower max_new_tokens, or use the sliding window)");
        // with the sliding window the cache is bounded by the context, whatever max_new_tokens is
        assertThat(g.cacheCapacity(5, huge.withSlidingWindow(true))).isEqualTo(24);
        assertThat(g.cacheCapacity(5, GenerationConfig.of(3, Sampling.greedyDecoding(), 1))).isEqualTo(8);
        assertThatThrownBy(() -> Generator.sequenceCount(70_000, 70_000)).hasMessage("generate: 70000 prompts × 70000 samples is more sequences than one call can hold");
        assertThat(Generator.sequenceCount(3, 4)).isEqualTo(12);
    }

    @Test
    void theSlidingWindowWithAHugeBudgetAllocatesOnlyWhatItGenerates() {
        Gpt gpt = GeneratorTest.model(2);
        // max_new_tokens of 2^31 - 1 with the sliding window: stops at the stop token, no up-front arrays of 2^31 ints
        GenerationConfig cfg = GenerationConfig.of(Integer.MAX_VALUE, Sampling.greedyDecoding(), 1).withSlidingWindow(true);
        Generation g0 = new Generator(gpt).generate(List.of(new int[] {1}), GenerationConfig.of(40, Sampling.greedyDecoding(), 1).withSlidingWindow(true)).get(0);
        int stop = g0.tokens()[39];                          // a token greedy decoding reaches by step 40
        int first = -1;
        for (int i = 0; i < 40; i++) if (g0.tokens()[i] == stop) { first = i; break; }
        Generation g = new Generator(gpt).generate(List.of(new int[] {1}), cfg.withStopTokens(stop)).get(0);
        assertThat(g.tokens()).containsExactly(Arrays.copyOf(g0.tokens(), first + 1));
        assertThat(g.finish()).isEqualTo(Generation.Finish.STOP_TOKEN);
    }

    @Test
    void moreSamplesThanTheHeapHoldsAreRefusedBeforeAnythingIsAllocated() {
        Gpt gpt = GeneratorTest.model(1);
        long perSample = KvCache.bytes(gpt.config(), 1 + 4);      // the prompt and 4 new tokens
        int n = (int) Math.min(Integer.MAX_VALUE, Runtime.getRuntime().maxMemory() / perSample + 1);
        assertThatThrownBy(() -> new Generator(gpt).generate(List.of(new int[] {1}), GenerationConfig.of(4, Sampling.greedyDecoding(), 1).withSamplesPerPrompt(n)))
                .hasMessageContaining("generate: " + n + " sequences need").hasMessageContaining("of KV cache, more than the Java heap");
    }
}
