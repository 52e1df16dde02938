package io.cpo4j.bench;

import io.cpo4j.cpo.negatives.AutoregressiveNegatives;
import io.cpo4j.cpo.negatives.NegativeContext;
import io.cpo4j.cpo.train.ExampleSource;
import io.cpo4j.cpo.negatives.TruncationNegatives;
import io.cpo4j.cpo.train.CpoConfig;
import io.cpo4j.cpo.train.LossType;
import io.cpo4j.engine.Rng;
import io.cpo4j.engine.kernels.Parallel;
import io.cpo4j.model.data.TokenizedExample;
import io.cpo4j.model.gpt.Gpt;
import io.cpo4j.model.gpt.GptConfig;
import io.cpo4j.model.train.GradientReducer;
import io.cpo4j.model.train.Objective;
import io.cpo4j.model.train.TrainConfig;
import io.cpo4j.model.train.Trainer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The cost of a sequence-level CPO step (K = 4) against next-token (MLE) steps, on the {@code tiny}
 * model, measured <em>paired</em>: every call runs one step of each recipe, in an order that rotates
 * from call to call, each on its own copy of the model. This shared 2-vCPU machine drifts by ±20%
 * from one minute to the next; separate benchmark runs per recipe compared minutes, not recipes.
 *
 * <ul>
 *   <li>{@code mle}: 16 examples of 32 + 64 tokens;</li>
 *   <li>{@code mle-candidates}: MLE on the same tokens as a {@code cpo-autoregressive} step — each truth and
 *       K − 1 negatives sampled once from the reference, 4 × 16 plain examples per step;</li>
 *   <li>{@code cpo-truncation}: CPO with truncation negatives (no generation);</li>
 *   <li>{@code cpo-autoregressive}: CPO with negatives sampled from the reference;</li>
 *   <li>{@code negatives-autoregressive}: that sampling alone (K − 1 negatives per example, as the step makes them).</li>
 * </ul>
 *
 * JMH's time is the whole call; each recipe's milliseconds per measured call go to the notes
 * ({@code cpo.ms.<recipe>.<threads>}, in call order), with its mean tokens per step. The target: a CPO step costs no more
 * than 1.2 × (K × an MLE step) plus negative generation.
 */
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = CpoStepBenchmark.WARMUP, time = 1)
@Measurement(iterations = 12, time = 1)
public class CpoStepBenchmark extends BenchmarkDefaults {

    @Param({"1", "2"})
    public int threads;

    static final int BATCH = 16, PREFIX = 32, CONTINUATION = 64, K = 4, WARMUP = 2;
    static final List<String> RECIPES = List.of("mle", "mle-candidates", "cpo-truncation", "cpo-autoregressive", "negatives-autoregressive");

    private final List<LongSupplier> steps = new ArrayList<>();     // each runs one step and returns its tokens
    private final List<List<Double>> millis = new ArrayList<>();
    private final long[] tokens = new long[RECIPES.size()];
    private final long[] tokenCalls = new long[RECIPES.size()];
    private boolean measuring;
    private int calls;

    @Setup
    public void setup() {
        Parallel.setThreads(threads);
        GptConfig c = GptConfig.tiny();
        Rng rng = new Rng(2);
        List<TokenizedExample> examples = new ArrayList<>();
        for (int i = 0; i < 256; i++) {
            int[] p = new int[PREFIX], q = new int[CONTINUATION];
            for (int j = 0; j < PREFIX; j++) p[j] = 1 + rng.nextInt(c.vocabSize() - 1);
            for (int j = 0; j < CONTINUATION; j++) q[j] = 1 + rng.nextInt(c.vocabSize() - 1);
            q[CONTINUATION - 1] = 0;
            examples.add(new TokenizedExample(p, q));
        }
        int[][] prefixes = new int[examples.size()][], truths = new int[examples.size()][];
        for (int b = 0; b < examples.size(); b++) {
            prefixes[b] = examples.get(b).prefix();
            truths[b] = examples.get(b).continuation();
        }
        for (String recipe : RECIPES) {
            Gpt policy = Gpt.create(c, 1);
            millis.add(new ArrayList<>());
            switch (recipe) {
                case "negatives-autoregressive" -> {
                    int[][] p = Arrays.copyOf(prefixes, BATCH), t = Arrays.copyOf(truths, BATCH);
                    NegativeContext context = new NegativeContext(policy, policy.copy().freeze(true), 0, new Rng(4));
                    AutoregressiveNegatives generator = new AutoregressiveNegatives();
                    steps.add(() -> {
                        generator.generate(p, t, K - 1, context);
                        return 0;
                    });
                }
                case "mle-candidates" -> {
                    NegativeContext context = new NegativeContext(policy, policy.copy().freeze(true), 0, new Rng(4));
                    List<List<int[]>> negatives = new AutoregressiveNegatives().generate(prefixes, truths, K - 1, context);
                    List<TokenizedExample> rows = new ArrayList<>();
                    for (int b = 0; b < examples.size(); b++) {
                        rows.add(examples.get(b));
                        for (int[] n : negatives.get(b)) rows.add(new TokenizedExample(prefixes[b], n));
                    }
                    steps.add(trainer(policy, CpoConfig.builder().lossType(LossType.MLE), rows, K * BATCH));
                }
                case "mle" -> steps.add(trainer(policy, CpoConfig.builder().lossType(LossType.MLE), examples, BATCH));
                case "cpo-truncation" -> steps.add(trainer(policy, CpoConfig.builder().negatives(new TruncationNegatives()).candidates(K), examples, BATCH));
                default -> steps.add(trainer(policy, CpoConfig.builder().candidates(K), examples, BATCH));
            }
        }
    }

    private static LongSupplier trainer(Gpt policy, CpoConfig.Builder recipe, List<TokenizedExample> examples, int batch) {
        TrainConfig tc = TrainConfig.builder().batchSize(batch).blockSize(PREFIX + CONTINUATION).maxSteps(Integer.MAX_VALUE).learningRate(1e-5f)
                .warmupSteps(1).evalEvery(0).evalBatches(1).checkpointEvery(0).keepCheckpoints(1).maxBadSteps(3).seed(1).build();
        CpoConfig spec = recipe.eosToken(0).training(tc).build();
        Gpt reference = spec.needsReference() ? policy.copy().freeze(true) : null;
        Objective objective = spec.objective(policy, reference, new ExampleSource(examples, 3), 4);
        Trainer trainer = new Trainer(policy, tc, objective, GradientReducer.LOCAL);
        return () -> {
            trainer.step();
            return objective.lastTokens();
        };
    }

    @Setup(Level.Iteration)
    public void nextIteration(IterationParams params) {
        measuring = params.getType() == IterationType.MEASUREMENT;
    }

    /** One step of every recipe, starting from a different recipe each call. */
    @Benchmark
    public void step() {
        int n = steps.size(), first = calls++ % n;
        for (int i = 0; i < n; i++) {
            int r = (first + i) % n;
            long t0 = System.nanoTime();
            long used = steps.get(r).getAsLong();
            long t1 = System.nanoTime();
            if (measuring) {
                millis.get(r).add((t1 - t0) / 1e6);
                tokens[r] += used;
                tokenCalls[r]++;
            }
        }
    }

    @TearDown
    public void record() {
        for (int r = 0; r < RECIPES.size(); r++) {
            if (millis.get(r).isEmpty()) continue;
            StringJoiner ms = new StringJoiner(",");
            for (double m : millis.get(r)) ms.add(String.format(java.util.Locale.ROOT, "%.2f", m));
            Notes.write("cpo.ms." + RECIPES.get(r) + "." + threads, ms.toString());
            if (tokens[r] > 0) Notes.write("cpo.tokens." + RECIPES.get(r) + "." + threads, Long.toString(tokens[r] / tokenCalls[r]));
        }
    }
}
