package io.cpo4j.bench;

import io.cpo4j.cpo.negatives.AutoregressiveNegatives;
import io.cpo4j.cpo.negatives.NegativeContext;
import io.cpo4j.cpo.negatives.NegativeGenerator;
import io.cpo4j.cpo.train.ExampleSource;
import io.cpo4j.cpo.train.FinetuneSpec;
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
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.concurrent.TimeUnit;

/**
 * The cost of a sequence-level CPO step against a next-token (MLE) step on the same examples,
 * on the {@code tiny} model: 16 (prefix 32, continuation 64) examples per step. {@code cpo-truncation}
 * needs no generation, so it isolates the scoring cost (K = 4 rows per example, plus the frozen
 * reference's forward); {@code cpo-autoregressive} adds sampling the negatives, and
 * {@code negatives-autoregressive} times that sampling alone (K − 1 negatives per example, as the step makes them).
 * {@code mle-candidates} is an MLE step on the same tokens as a {@code cpo-autoregressive} step: each truth and
 * K − 1 negatives sampled once from the reference, as K × 16 plain examples per step (sampled negatives run
 * longer than the truth, so K × {@code mle} undercounts them).
 * The target: a CPO step costs no more than 1.2 × (K × an MLE step) plus negative generation.
 */
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class CpoStepBenchmark extends BenchmarkDefaults {

    @Param({"mle", "cpo-truncation", "cpo-autoregressive", "negatives-autoregressive", "mle-candidates"})
    public String recipe;

    @Param({"1", "2"})
    public int threads;

    static final int BATCH = 16, PREFIX = 32, CONTINUATION = 64, K = 4;

    private Supplier<Object> work;
    private long tokens, steps;

    @Setup
    public void setup() {
        Parallel.setThreads(threads);
        GptConfig c = GptConfig.tiny();
        Gpt policy = Gpt.create(c, 1);
        Rng rng = new Rng(2);
        List<TokenizedExample> examples = new ArrayList<>();
        for (int i = 0; i < 256; i++) {
            int[] p = new int[PREFIX], q = new int[CONTINUATION];
            for (int j = 0; j < PREFIX; j++) p[j] = 1 + rng.nextInt(c.vocabSize() - 1);
            for (int j = 0; j < CONTINUATION; j++) q[j] = 1 + rng.nextInt(c.vocabSize() - 1);
            q[CONTINUATION - 1] = 0;
            examples.add(new TokenizedExample(p, q));
        }
        if (recipe.equals("negatives-autoregressive")) {
            int[][] prefixes = new int[BATCH][], truths = new int[BATCH][];
            for (int b = 0; b < BATCH; b++) {
                prefixes[b] = examples.get(b).prefix();
                truths[b] = examples.get(b).continuation();
            }
            NegativeGenerator generator = new AutoregressiveNegatives();
            NegativeContext context = new NegativeContext(policy, policy.copy().freeze(true), 0, new Rng(4));
            work = () -> generator.generate(prefixes, truths, K - 1, context);
            return;
        }
        int batch = BATCH;
        if (recipe.equals("mle-candidates")) {
            // the rows a cpo-autoregressive step scores — each truth and K − 1 negatives sampled from the
            // reference — as plain next-token examples, K × BATCH per step: NTP on the same tokens
            int[][] prefixes = new int[examples.size()][], truths = new int[examples.size()][];
            for (int b = 0; b < examples.size(); b++) {
                prefixes[b] = examples.get(b).prefix();
                truths[b] = examples.get(b).continuation();
            }
            NegativeContext context = new NegativeContext(policy, policy.copy().freeze(true), 0, new Rng(4));
            List<List<int[]>> negatives = new AutoregressiveNegatives().generate(prefixes, truths, K - 1, context);
            List<TokenizedExample> rows = new ArrayList<>();
            for (int b = 0; b < examples.size(); b++) {
                rows.add(examples.get(b));
                for (int[] n : negatives.get(b)) rows.add(new TokenizedExample(prefixes[b], n));
            }
            examples = rows;
            batch = K * BATCH;
        }
        FinetuneSpec spec = switch (recipe) {
            case "mle", "mle-candidates" -> FinetuneSpec.defaults().withObjective("mle");
            case "cpo-truncation" -> FinetuneSpec.defaults().withNegatives(List.of("truncation")).withCandidates(K);
            default -> FinetuneSpec.defaults().withCandidates(K);
        };
        Gpt reference = spec.needsReference() ? policy.copy().freeze(true) : null;
        TrainConfig tc = new TrainConfig(batch, PREFIX + CONTINUATION, 1, Integer.MAX_VALUE, 1e-5f, 1, 0.1f, 0.1f, 0.9f, 0.95f, 1e-8f, 1f, 0, 1, 0, 1, 3, 1);
        Objective objective = spec.objective(policy, reference, new ExampleSource(examples, 3), batch, 0, 4);
        Trainer trainer = new Trainer(policy, tc, objective, GradientReducer.LOCAL);
        work = () -> {
            Object metrics = trainer.step();
            tokens += objective.lastTokens();
            steps++;
            return metrics;
        };
    }

    @Benchmark
    public Object step() {
        return work.get();
    }

    /** Tokens (prefix + continuation, every row) a step scored on average: the bound compares steps on the same tokens. */
    @TearDown
    public void recordTokens() {
        if (steps > 0) Notes.write("cpo.tokens." + recipe + "." + threads, Long.toString(tokens / steps));
    }
}
