package io.cpo4j.cpo.score;

import io.cpo4j.cpo.loss.PlainCpoLoss;
import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.DType;
import io.cpo4j.engine.Rng;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.Engine;
import io.cpo4j.model.gpt.GptConfig;
import io.cpo4j.model.llama.LlamaConfig;
import io.cpo4j.model.lm.LanguageModel;
import io.cpo4j.model.lm.ModelConfig;
import io.cpo4j.model.lora.LoraConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scoring with each prompt run once ({@code sharePrefixes}) against the current path: the same
 * sequence log-probabilities (within 1e-5 relative) and the same parameter gradients of a CPO loss
 * on them, for GPT-2 and Llama, with and without LoRA, K = 2 and 4, prompts of different lengths
 * in one batch (a one-token prompt among them), truncations read from their truth's row, and
 * bit-identical for 1 and 2 threads.
 */
class SharedPrefixScoringTest {

    static final int V = 29, EOS = 0;
    static final GptConfig GPT = new GptConfig(V, 48, 2, 2, 16, 0f, 1e-5f);
    static final LlamaConfig LLAMA = LlamaConfig.llama(V, 48, 2, 32, 48, 4, 2, false);

    private final int defaultThreads = Engine.threads();

    @AfterEach
    void restoreThreads() {
        Engine.setThreads(defaultThreads);
    }

    /**
     * Four examples with prompts of 9, 1, 5 and 14 tokens; candidate 0 the truth, then a
     * truncation of it (read from the truth's row), a sampled-like one of its own length, a
     * one-token {EOS}, cut to the first K.
     */
    static CandidateSet set(int k, long seed) {
        Rng rng = new Rng(seed);
        int[] promptLengths = {9, 1, 5, 14};
        int[][] prefixes = new int[4][];
        int[][][] conts = new int[4][][];
        for (int e = 0; e < 4; e++) {
            prefixes[e] = random(rng, promptLengths[e]);
            int[] truth = random(rng, 6 + 3 * e);
            truth[truth.length - 1] = EOS;
            int[] truncation = Arrays.copyOf(truth, 3);
            truncation[2] = EOS;
            int[] other = random(rng, 4 + e);
            int[][] all = {truth, truncation, other, {EOS}};
            conts[e] = Arrays.copyOf(all, k);
        }
        return new CandidateSet(prefixes, conts);
    }

    private static int[] random(Rng rng, int n) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = 1 + rng.nextInt(V - 1);
        return t;
    }

    static LanguageModel model(ModelConfig config, boolean lora) {
        return model(config, lora, false);
    }

    /** With {@code bf16}: LoRA over a frozen bfloat16 copy of the base (PEFT's base loaded in bf16). */
    static LanguageModel model(ModelConfig config, boolean lora, boolean bf16) {
        LanguageModel m = config.create(3);
        Rng rng = new Rng(4);
        float[] w = m.parameters().values();
        for (int i = 0; i < w.length; i++) w[i] += (float) (rng.nextGaussian() * 0.1);
        if (bf16) m = m.toFrozenBase(DType.BF16);
        if (lora) {
            m = m.withLora(new LoraConfig(4, 8f, 0.1f, List.of(LoraConfig.ALL_LINEAR)), 5);
            float[] a = m.parameters().values();
            for (int i = 0; i < a.length; i++) a[i] = (float) (rng.nextGaussian() * 0.2);
        }
        m.setTraining(true);                       // the scorer turns dropout (LoRA's here) off itself
        return m;
    }

    /** The policy's scores and the parameter gradients of a plain CPO loss against the reference's (unshared) scores. */
    private record Step(float[] scores, float[] grads) {}

    private static Step step(LanguageModel policy, SequenceScores reference, CandidateSet set, boolean share) {
        policy.parameters().zeroGrad();
        SequenceScores pol = SequenceScorer.score(policy, set, null, share);
        Tensor loss = new PlainCpoLoss(0.5).apply(pol, reference);
        float[] scores = pol.values();
        Autograd.backward(loss);
        return new Step(scores, policy.parameters().grads().clone());
    }

    /** Max |a − b| / max|b| — the figure the assertions bound, for the report. */
    static double relative(float[] a, float[] b) {
        double diff = 0, scale = 0;
        for (int i = 0; i < a.length; i++) {
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
        }
        return diff / scale;
    }

    static double maxAbs(float[] x) {
        double m = 0;
        for (float v : x) m = Math.max(m, Math.abs(v));
        return m;
    }

    private static void assertSharedEqualsUnshared(ModelConfig config, boolean lora, int k) {
        assertSharedEqualsUnshared(config, lora, false, k);
    }

    private static void assertSharedEqualsUnshared(ModelConfig config, boolean lora, boolean bf16, int k) {
        String what = config.modelType() + (lora ? " + LoRA" : "") + (bf16 ? " over a bf16 base" : "") + ", K = " + k;
        LanguageModel policy = model(config, lora, bf16);
        CandidateSet set = set(k, 10 + k);
        SequenceScores reference = SequenceScorer.scoreNoGrad(policy.withoutAdapters(), set);
        float[] unsharedNoGrad = SequenceScorer.scoreNoGrad(policy, set).values(), sharedNoGrad = SequenceScorer.scoreNoGrad(policy, set, null, true).values();
        for (int i = 0; i < sharedNoGrad.length; i++) {
            assertThat((double) Math.abs(sharedNoGrad[i] - unsharedNoGrad[i])).as("%s: candidate %d, shared %s vs unshared %s", what, i, sharedNoGrad[i], unsharedNoGrad[i])
                    .isLessThanOrEqualTo(1e-5 * Math.abs(unsharedNoGrad[i]));
        }
        Step shared = step(policy, reference, set, true), unshared = step(policy, reference, set, false);
        double scoreDiff = relative(shared.scores(), unshared.scores()), gradDiff = relative(shared.grads(), unshared.grads());
        System.out.printf("shared-prefix scoring, %s: scores max rel diff %.2e, gradients max diff / max |grad| %.2e%n", what, scoreDiff, gradDiff);
        assertThat(scoreDiff).as(what + ": scores with a graph, max relative difference").isLessThan(1e-5);
        assertThat(gradDiff).as(what + ": gradients, max diff / max |grad|").isLessThan(1e-4);
        assertThat(maxAbs(unshared.grads())).as(what + ": the loss reaches the parameters").isGreaterThan(1e-4);
    }

    @Test
    void gptScoresAndGradientsEqualTheUnsharedPath() {
        for (int k : new int[] {2, 4}) {
            assertSharedEqualsUnshared(GPT, false, k);
            assertSharedEqualsUnshared(GPT, true, k);
        }
    }

    @Test
    void llamaScoresAndGradientsEqualTheUnsharedPath() {
        for (int k : new int[] {2, 4}) {
            assertSharedEqualsUnshared(LLAMA, false, k);
            assertSharedEqualsUnshared(LLAMA, true, k);
        }
    }

    @Test
    void loraOverAHalfPrecisionBaseToo() {
        assertSharedEqualsUnshared(GPT, true, true, 4);
        assertSharedEqualsUnshared(LLAMA, true, true, 4);
    }

    @Test
    void knownScoresAreTakenAsGivenAndFullyKnownExamplesRunNoPrompt() {
        LanguageModel model = model(LLAMA, false);
        CandidateSet set = set(4, 20);
        float[][] known = new float[4][4];
        for (float[] row : known) Arrays.fill(row, Float.NaN);
        Arrays.fill(known[1], -5f);                                         // example 1 fully known: no prompt pass for it
        known[2][2] = -9.5f;
        ScoringPlan plan = ScoringPlan.shared(set, known);
        int prompts = 0;
        for (ScoringPlan.Group g : plan.groups()) prompts += g.prefixes().lengths().length;
        assertThat(prompts).isEqualTo(3);
        float[] all = SequenceScorer.scoreNoGrad(model, set).values(), some = SequenceScorer.scoreNoGrad(model, set, known, true).values();
        for (int i = 0; i < 16; i++) {
            if (i / 4 == 1) assertThat(some[i]).isEqualTo(-5f);
            else if (i == 10) assertThat(some[i]).isEqualTo(-9.5f);
            else assertThat((double) Math.abs(some[i] - all[i])).as("candidate %d", i).isLessThanOrEqualTo(1e-5 * Math.abs(all[i]));
        }
    }

    @Test
    void eachPromptRunsOnceAndTruncationsKeepReadingTheirTruthsRow() {
        CandidateSet set = set(4, 30);
        ScoringPlan unshared = ScoringPlan.of(set, null), shared = ScoringPlan.shared(set, null);
        // per example: the truth holds its truncation and {EOS}; the other candidate is a row of its own
        assertThat(shared.rows()).as("the same rows: truncations still read from their truth").isEqualTo(unshared.rows()).isEqualTo(4 * 2);
        for (ScoringPlan.Bucket b : shared.buckets()) assertThat(b.prefixOf()).hasSize(b.rows());
        assertThat(shared.paddedPositions()).isLessThan(unshared.paddedPositions());
        // one prompt of 10 tokens, four candidates of 5: 4 rows of 14 positions, or the prompt's first 9 once and 4 rows of 5
        int[][][] conts = {{{1, 2, 3, 4, 5}, {2, 3, 4, 5, 6}, {3, 4, 5, 6, 7}, {4, 5, 6, 7, 8}}};
        CandidateSet one = new CandidateSet(new int[][] {{9, 8, 7, 6, 5, 4, 3, 2, 1, 9}}, conts);
        assertThat(ScoringPlan.of(one, null).paddedPositions()).isEqualTo(4 * 14);
        assertThat(ScoringPlan.shared(one, null).paddedPositions()).isEqualTo(9 + 4 * 5);
    }

    @Test
    void oneAndTwoThreadsGiveTheSameBits() {
        CandidateSet set = set(4, 40);
        for (ModelConfig config : new ModelConfig[] {GPT, LLAMA}) {
            LanguageModel policy = model(config, true);
            SequenceScores reference = SequenceScorer.scoreNoGrad(policy.withoutAdapters(), set);
            Engine.setThreads(1);
            Step one = step(policy, reference, set, true);
            Engine.setThreads(2);
            Step two = step(policy, reference, set, true);
            assertThat(two.scores()).as(config.modelType() + " scores").containsExactly(one.scores());
            assertThat(two.grads()).as(config.modelType() + " gradients").containsExactly(one.grads());
        }
    }

    @Test
    void withGradientCheckpointingTheGraphIsScoredUnshared() {
        LanguageModel policy = model(GPT, false);
        CandidateSet set = set(4, 50);
        SequenceScores reference = SequenceScorer.scoreNoGrad(policy, set);
        Step plain = step(policy, reference, set, false);
        policy.setGradientCheckpointing(true);
        Step asked = step(policy, reference, set, true);
        assertThat(asked.scores()).containsExactly(plain.scores());
        assertThat(asked.grads()).containsExactly(plain.grads());
    }
}
