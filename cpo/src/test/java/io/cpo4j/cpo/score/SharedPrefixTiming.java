package io.cpo4j.cpo.score;

import io.cpo4j.cpo.loss.PlainCpoLoss;
import io.cpo4j.cpo.negatives.BatchNegatives;
import io.cpo4j.cpo.train.CpoConfig;
import io.cpo4j.cpo.train.CpoTrainer;
import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.Engine;
import io.cpo4j.engine.Rng;
import io.cpo4j.engine.Tensor;
import io.cpo4j.model.data.TokenizedExample;
import io.cpo4j.model.gpt.GptConfig;
import io.cpo4j.model.llama.LlamaConfig;
import io.cpo4j.model.lm.LanguageModel;
import io.cpo4j.model.lm.ModelConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Not a test: times a CPO step's scoring with and without shared prompts on tiny GPT or Llama (B = 8,
 * K = 4, prompts of 48 tokens, candidates of 32, all distinct), alternating the two, best and
 * median of several rounds: (1) reference no-graph scoring + policy scoring + plain CPO loss +
 * backward on a fixed candidate set; (2) a whole {@link CpoTrainer} step (batch negatives, so the
 * sampling is cheap and all K rows are distinct). Run from the repository root after a build:
 * {@code java --add-modules jdk.incubator.vector -cp engine/target/classes:model/target/classes:cpo/target/classes:cpo/target/test-classes
 * io.cpo4j.cpo.score.SharedPrefixTiming [threads] [rounds] [gpt|llama]}
 */
public final class SharedPrefixTiming {

    static final int B = 8, K = 4, PROMPT = 48, CONT = 32;

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1, rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        Engine.setThreads(threads);
        ModelConfig config = args.length > 2 && args[2].equals("llama") ? LlamaConfig.tiny() : GptConfig.tiny();
        System.out.printf(Locale.ROOT, "tiny %s (%d layers, width %d, context %d), B = %d, K = %d, prompt %d, candidates %d, %d threads%n",
                config.modelType(), config.layers(), config.width(), config.contextLength(), B, K, PROMPT, CONT, threads);
        LanguageModel policy = config.create(1), reference = policy.copy().freeze(true);
        CandidateSet set = candidates(config.vocabSize());
        double[][] scoring = new double[2][rounds];
        for (int round = -2; round < rounds; round++) {                       // two warm-up rounds
            for (int share = 0; share < 2; share++) {
                double s = scoringStep(policy, reference, set, share == 1);
                if (round >= 0) scoring[share][round] = s;
            }
        }
        report("scoring + loss + backward", scoring);
        List<TokenizedExample> examples = examples(config.vocabSize());
        CpoConfig.Builder recipe = CpoConfig.builder().candidates(K).negatives(new BatchNegatives()).eosToken(0)
                .training(t -> t.batchSize(B).blockSize(PROMPT + CONT).maxSteps(1000).learningRate(1e-5f));
        CpoTrainer unshared = new CpoTrainer(config.create(2), examples, recipe.sharePrefixes(false).build());
        CpoTrainer shared = new CpoTrainer(config.create(2), examples, recipe.sharePrefixes(true).build());
        double[][] steps = new double[2][rounds];
        for (int round = -2; round < rounds; round++) {
            for (int share = 0; share < 2; share++) {
                long t0 = System.nanoTime();
                (share == 1 ? shared : unshared).step();
                if (round >= 0) steps[share][round] = (System.nanoTime() - t0) / 1e9;
            }
        }
        report("whole CpoTrainer step", steps);
    }

    private static double scoringStep(LanguageModel policy, LanguageModel reference, CandidateSet set, boolean share) {
        long t0 = System.nanoTime();
        SequenceScores ref = SequenceScorer.scoreNoGrad(reference, set, null, share);
        SequenceScores pol = SequenceScorer.score(policy, set, null, share);
        Tensor loss = new PlainCpoLoss(0.1).apply(pol, ref);
        Autograd.backwardAndRecycle(loss, new float[] {1f});
        double seconds = (System.nanoTime() - t0) / 1e9;
        policy.parameters().zeroGrad();
        return seconds;
    }

    private static void report(String what, double[][] t) {
        double[] u = t[0].clone(), s = t[1].clone();
        java.util.Arrays.sort(u);
        java.util.Arrays.sort(s);
        System.out.printf(Locale.ROOT, "%s: unshared best %.3f s median %.3f s; shared best %.3f s median %.3f s; speed-up (medians) %.2fx%n",
                what, u[0], u[u.length / 2], s[0], s[s.length / 2], u[u.length / 2] / s[s.length / 2]);
    }

    private static CandidateSet candidates(int vocab) {
        Rng rng = new Rng(3);
        int[][] prefixes = new int[B][];
        int[][][] conts = new int[B][K][];
        for (int b = 0; b < B; b++) {
            prefixes[b] = tokens(rng, PROMPT, vocab);
            for (int k = 0; k < K; k++) conts[b][k] = tokens(rng, CONT, vocab);
        }
        return new CandidateSet(prefixes, conts);
    }

    private static List<TokenizedExample> examples(int vocab) {
        Rng rng = new Rng(4);
        List<TokenizedExample> out = new ArrayList<>();
        for (int i = 0; i < 64; i++) out.add(new TokenizedExample(tokens(rng, PROMPT, vocab), tokens(rng, CONT, vocab)));
        return out;
    }

    private static int[] tokens(Rng rng, int n, int vocab) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = 1 + rng.nextInt(vocab - 1);
        return t;
    }
}
