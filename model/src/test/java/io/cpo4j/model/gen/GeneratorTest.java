package io.cpo4j.model.gen;

import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.Rng;
import io.cpo4j.engine.kernels.Parallel;
import io.cpo4j.model.gpt.Gpt;
import io.cpo4j.model.lm.Decoder;
import io.cpo4j.model.lm.KvCache;
import io.cpo4j.model.gpt.GptConfig;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GeneratorTest {

    static final GptConfig CONFIG = new GptConfig(61, 24, 2, 2, 16, 0f, 1e-5f);

    /** A random model with sharper-than-initial logits so that sampling choices matter. */
    static Gpt model(long seed) {
        Gpt gpt = Gpt.create(CONFIG, seed);
        float[] w = gpt.parameters().values();
        Rng rng = new Rng(seed + 1);
        for (int i = 0; i < w.length; i++) w[i] += (float) (rng.nextGaussian() * 0.15);
        gpt.setTraining(false);
        return gpt;
    }

    static float[] fullLogitsOfLast(Gpt gpt, int[] seq) {
        try (var s = Autograd.noGrad()) {
            float[] all = gpt.logits(seq, 1, seq.length).toArray();
            return Arrays.copyOfRange(all, (seq.length - 1) * CONFIG.vocabSize(), seq.length * CONFIG.vocabSize());
        }
    }

    @Test
    void cachedDecodingMatchesRecomputingTheWholeSequenceAtEveryStep() {
        Gpt gpt = model(1);
        Decoder dec = gpt.decoder();
        KvCache cache = dec.newCache(CONFIG.contextLength());
        int[] seq = {3, 14, 15, 9, 26};
        float[] prefill = dec.forward(new KvCache[] {cache}, new int[][] {seq}, true);
        float[] full;
        try (var s = Autograd.noGrad()) {
            full = gpt.logits(seq, 1, seq.length).toArray();
        }
        assertClose("prefill, every position", prefill, full);
        int[] grown = seq;
        float[] logits = Arrays.copyOfRange(prefill, (seq.length - 1) * 61, seq.length * 61);
        for (int step = 0; step < CONFIG.contextLength() - seq.length; step++) {
            int next = TokenChooser.argmax(logits);
            grown = Arrays.copyOf(grown, grown.length + 1);
            grown[grown.length - 1] = next;
            logits = dec.forward(new KvCache[] {cache}, new int[][] {{next}}, false);
            assertClose("step " + step, logits, fullLogitsOfLast(gpt, grown));
        }
        assertThat(cache.length()).isEqualTo(CONFIG.contextLength());
    }

    static void assertClose(String what, float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < actual.length; i++) {
            assertThat((double) Math.abs(actual[i] - expected[i])).as("%s [%d]", what, i).isLessThanOrEqualTo(1e-5 * Math.max(1, Math.abs(expected[i])));
        }
    }

    @Test
    void raggedBatchesGiveWhatEachPromptGivesAlone() {
        Gpt gpt = model(2);
        Generator g = new Generator(gpt);
        List<int[]> prompts = List.of(new int[] {1}, new int[] {5, 6, 7, 8, 9, 10, 11}, new int[] {2, 3});
        GenerationConfig cfg = GenerationConfig.of(9, Sampling.temperature(1f), 42).withSamplesPerPrompt(2);
        List<Generation> together = g.generate(prompts, cfg);
        assertThat(together).extracting(Generation::prompt).containsExactly(0, 0, 1, 1, 2, 2);
        assertThat(together).extracting(Generation::sample).containsExactly(0, 1, 0, 1, 0, 1);
        assertThat(together).allMatch(gen -> gen.tokens().length == 9);
        GenerationConfig greedy = GenerationConfig.of(9, Sampling.greedyDecoding(), 0);
        List<Generation> batch = g.generate(prompts, greedy);
        for (int p = 0; p < prompts.size(); p++) {
            assertThat(batch.get(p).tokens()).as("prompt " + p).containsExactly(g.generate(List.of(prompts.get(p)), greedy).get(0).tokens());
        }
    }

    @Test
    void sameSeedSameTokensOnOneAndTwoThreads() {
        Gpt gpt = model(3);
        Generator g = new Generator(gpt);
        GenerationConfig cfg = GenerationConfig.of(12, Sampling.temperature(0.9f).withTopK(20).withTopP(0.9f), 7).withSamplesPerPrompt(3);
        List<int[]> prompts = List.of(new int[] {4, 5}, new int[] {6});
        int before = Parallel.threads();
        try {
            Parallel.setThreads(1);
            List<Generation> one = g.generate(prompts, cfg);
            Parallel.setThreads(2);
            List<Generation> two = g.generate(prompts, cfg);
            for (int i = 0; i < one.size(); i++) {
                assertThat(two.get(i).tokens()).containsExactly(one.get(i).tokens());
                assertThat(two.get(i).logProbs()).containsExactly(one.get(i).logProbs());
            }
            assertThat(one.get(0).tokens()).isNotEqualTo(one.get(1).tokens());       // samples differ from each other
            assertThat(g.generate(prompts, new GenerationConfig(12, cfg.sampling(), 3, 8, java.util.Set.of(), List.of(), null, false)).get(0).tokens())
                    .isNotEqualTo(one.get(0).tokens());                                 // another seed, another text
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void logProbsAreTheModelsOwnAndTheStreamSeesEveryToken() {
        Gpt gpt = model(4);
        List<int[]> streamed = new java.util.ArrayList<>();
        Generation gen = new Generator(gpt).generate(List.of(new int[] {9, 8}), GenerationConfig.of(6, Sampling.temperature(1.3f), 1),
                (s, t, l) -> streamed.add(new int[] {s, t})).get(0);
        assertThat(streamed).extracting(a -> a[1]).containsExactly(Arrays.stream(gen.tokens()).boxed().toArray(Integer[]::new));
        int[] seq = {9, 8};
        for (int i = 0; i < gen.tokens().length; i++) {
            float[] logits = fullLogitsOfLast(gpt, seq);
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (float x : logits) max = Math.max(max, x);
            for (float x : logits) sum += Math.exp(x - max);
            double expected = logits[gen.tokens()[i]] - max - Math.log(sum);
            assertThat((double) gen.logProbs()[i]).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-4));
            seq = Arrays.copyOf(seq, seq.length + 1);
            seq[seq.length - 1] = gen.tokens()[i];
        }
    }

    @Test
    void samplingFrequenciesMatchTheSoftmaxProbabilities() {
        Gpt gpt = model(5);
        int[] prompt = {1, 2, 3};
        float[] logits = fullLogitsOfLast(gpt, prompt);
        for (float temperature : new float[] {1f, 0.7f}) {
            Sampling s = Sampling.temperature(temperature);
            double[] p = TokenChooser.allowedProbabilities(logits, s);
            int n = 20_000;
            List<Generation> gens = new Generator(gpt).generate(List.of(prompt), GenerationConfig.of(1, s, 99).withSamplesPerPrompt(n));
            int[] counts = new int[CONFIG.vocabSize()];
            for (Generation g : gens) counts[g.tokens()[0]]++;
            for (int t = 0; t < counts.length; t++) {
                double sd = Math.sqrt(p[t] * (1 - p[t]) / n);
                assertThat(counts[t] / (double) n).as("token %d at T=%s, p=%s", t, temperature, p[t]).isCloseTo(p[t], org.assertj.core.data.Offset.offset(5 * sd + 1e-4));
            }
        }
    }

    @Test
    void topKTopPAndMinPNeverEmitOutsideTheAllowedSet() {
        Gpt gpt = model(6);
        int[] prompt = {7};
        float[] logits = fullLogitsOfLast(gpt, prompt);
        for (Sampling s : List.of(Sampling.temperature(1f).withTopK(5), Sampling.temperature(1.5f).withTopP(0.5f), Sampling.temperature(1f).withMinP(0.2f),
                Sampling.temperature(0.8f).withTopK(10).withTopP(0.8f))) {
            double[] p = TokenChooser.allowedProbabilities(logits, s);
            long allowed = Arrays.stream(p).filter(x -> x > 0).count();
            assertThat(allowed).isGreaterThan(0);
            if (s.topK() > 0) assertThat(allowed).isLessThanOrEqualTo(s.topK());
            for (Generation g : new Generator(gpt).generate(List.of(prompt), GenerationConfig.of(1, s, 5).withSamplesPerPrompt(2000))) {
                assertThat(p[g.tokens()[0]]).as("emitted token %d with %s", g.tokens()[0], s).isGreaterThan(0);
            }
        }
        double[] nucleus = TokenChooser.allowedProbabilities(logits, Sampling.temperature(1f).withTopP(0.5f));
        double[] full = TokenChooser.allowedProbabilities(logits, Sampling.temperature(1f));
        double keptMass = 0;
        for (int i = 0; i < full.length; i++) if (nucleus[i] > 0) keptMass += full[i];
        assertThat(keptMass).isGreaterThanOrEqualTo(0.5);
    }

    @Test
    void repetitionPenaltyAndNoRepeatNgram() {
        float[] logits = new float[10];
        logits[3] = 2f;
        logits[4] = 1.5f;
        logits[5] = -1f;
        int[] history = {3, 5};
        assertThat(TokenChooser.choose(logits, 0, 10, history, 2, Sampling.greedyDecoding(), null)).isEqualTo(3);
        assertThat(TokenChooser.choose(logits, 0, 10, history, 2, Sampling.greedyDecoding().withRepetitionPenalty(1.5f), null)).isEqualTo(4);
        // history ... 3 4 ... 3 : the next 4 would repeat the bigram (3, 4)
        int[] h2 = {3, 4, 7, 3};
        assertThat(TokenChooser.choose(logits, 0, 10, h2, 4, Sampling.greedyDecoding().withNoRepeatNgram(2), null)).isEqualTo(3);
        logits[3] = 0f;
        assertThat(TokenChooser.choose(logits, 0, 10, h2, 4, Sampling.greedyDecoding().withNoRepeatNgram(2), null)).isNotEqualTo(4);
    }

    @Test
    void stopsOnStopTokensStopStringsAndLength() {
        Gpt gpt = model(7);
        Generator g = new Generator(gpt);
        Generation free = g.generate(List.of(new int[] {1}), GenerationConfig.of(10, Sampling.greedyDecoding(), 0)).get(0);
        assertThat(free.finish()).isEqualTo(Generation.Finish.LENGTH);
        assertThat(free.tokens()).hasSize(10);
        int third = free.tokens()[2];
        int firstIndex = Arrays.stream(free.tokens()).boxed().toList().indexOf(third);
        Generation stopped = g.generate(List.of(new int[] {1}), GenerationConfig.of(10, Sampling.greedyDecoding(), 0).withStopTokens(third)).get(0);
        assertThat(stopped.finish()).isEqualTo(Generation.Finish.STOP_TOKEN);
        assertThat(stopped.tokens()).containsExactly(Arrays.copyOf(free.tokens(), firstIndex + 1));
        java.util.function.Function<int[], String> text = ids -> Arrays.toString(ids);
        String target = free.tokens()[1] + ", " + free.tokens()[2];
        Generation byString = g.generate(List.of(new int[] {1}), GenerationConfig.of(10, Sampling.greedyDecoding(), 0).withStopStrings(text, target)).get(0);
        assertThat(byString.finish()).isEqualTo(Generation.Finish.STOP_STRING);
        assertThat(byString.tokens()).hasSizeLessThanOrEqualTo(3);
    }

    @Test
    void theContextLengthIsNeverExceeded() {
        Gpt gpt = model(8);
        Generator g = new Generator(gpt);
        int[] prompt = new int[20];
        assertThatThrownBy(() -> g.generate(List.of(prompt), GenerationConfig.of(5, Sampling.greedyDecoding(), 0)))
                .hasMessageContaining("exceed the context length 24");
        Generation slid = g.generate(List.of(prompt), GenerationConfig.of(40, Sampling.temperature(1f), 0).withSlidingWindow(true)).get(0);
        assertThat(slid.tokens()).hasSize(40);
        assertThatThrownBy(() -> g.generate(List.of(new int[] {}), GenerationConfig.of(1, Sampling.greedyDecoding(), 0))).hasMessageContaining("empty");
    }
}
