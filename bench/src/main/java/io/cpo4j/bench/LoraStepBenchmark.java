package io.cpo4j.bench;

import io.cpo4j.cpo.negatives.AutoregressiveNegatives;
import io.cpo4j.cpo.train.CpoConfig;
import io.cpo4j.cpo.train.CpoTrainer;
import io.cpo4j.cpo.train.LossType;
import io.cpo4j.engine.DType;
import io.cpo4j.engine.Rng;
import io.cpo4j.engine.kernels.Parallel;
import io.cpo4j.model.data.TokenizedExample;
import io.cpo4j.model.gpt.Gpt;
import io.cpo4j.model.gpt.GptConfig;
import io.cpo4j.model.lm.LanguageModel;
import io.cpo4j.model.lora.LoraConfig;
import io.cpo4j.model.train.TrainConfig;
import io.cpo4j.model.train.Trainer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A CPO step with LoRA adapters against the same step fine-tuning the whole model, on GPT-2 124M's
 * shape, in turns: every call runs one step of each, in an order that rotates from call to call.
 * The step is issue 21's: K = 4, negatives sampled from the reference, 8 examples of 64 + 64 tokens
 * (2 per micro-batch, 4 micro-batches). Full fine-tuning keeps a frozen copy as the reference; LoRA
 * (r = 16, α = 32 on {@code c_attn}, {@code c_proj}, {@code c_fc}) uses its base, held in float32
 * ({@code lora}) or bfloat16 ({@code lora-bf16}). Milliseconds per step go to the notes
 * ({@code lora.ms.<threads>.<side>}, in call order), and so do the seconds of each phase of the
 * measured steps ({@code lora.phase.<threads>.<side>.<phase>}, summed); the report takes the ratio
 * LoRA / full within each call (target ≤ 0.6).
 */
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-Xms12g", "-Xmx12g"})
public class LoraStepBenchmark extends BenchmarkDefaults {

    static final int EXAMPLES = 8, PER_MICRO_BATCH = 2, PREFIX = 64, CONTINUATION = 64, K = 4, RANK = 16;
    static final List<String> SIDES = List.of("full", "lora", "lora-bf16");

    @Param({"1", "2"})
    public int threads;

    private final Map<String, Trainer> trainers = new LinkedHashMap<>();
    private final Map<String, List<Double>> millis = new LinkedHashMap<>();
    private final Map<String, Map<String, Double>> phases = new LinkedHashMap<>();
    private boolean measuring;
    private int calls;

    @Setup
    public void setup() {
        Parallel.setThreads(threads);
        GptConfig c = GptConfig.gpt2().withContextLength(256);
        List<TokenizedExample> examples = examples(c.vocabSize());
        for (String side : SIDES) {
            LanguageModel base = Gpt.create(c, 1);
            if (side.equals("lora-bf16")) base = base.toFrozenBase(DType.BF16);
            LanguageModel policy = side.startsWith("lora")
                    ? base.withLora(new LoraConfig(RANK, 2f * RANK, 0f, List.of("c_attn", "c_proj", "c_fc")), 2) : base;
            trainers.put(side, new CpoTrainer(policy, examples, recipe()).trainer());
            millis.put(side, new ArrayList<>());
            phases.put(side, new LinkedHashMap<>());
        }
    }

    static CpoConfig recipe() {
        TrainConfig tc = TrainConfig.builder().batchSize(PER_MICRO_BATCH).gradAccumSteps(EXAMPLES / PER_MICRO_BATCH).blockSize(PREFIX + CONTINUATION)
                .maxSteps(Integer.MAX_VALUE).learningRate(1e-4f).warmupSteps(1).evalEvery(0).evalBatches(1).checkpointEvery(0)
                .keepCheckpoints(1).maxBadSteps(3).seed(1).build();
        return CpoConfig.builder().lossType(LossType.CPO).candidates(K).negatives(new AutoregressiveNegatives()).eosToken(0).training(tc).build();
    }

    /** Random prefixes and continuations (the continuation ends with token 0, the end of text). */
    static List<TokenizedExample> examples(int vocab) {
        Rng rng = new Rng(2);
        List<TokenizedExample> examples = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            int[] p = new int[PREFIX], q = new int[CONTINUATION];
            for (int j = 0; j < PREFIX; j++) p[j] = 1 + rng.nextInt(vocab - 1);
            for (int j = 0; j < CONTINUATION; j++) q[j] = 1 + rng.nextInt(vocab - 1);
            q[CONTINUATION - 1] = 0;
            examples.add(new TokenizedExample(p, q));
        }
        return examples;
    }

    @Setup(Level.Iteration)
    public void nextIteration(IterationParams params) {
        measuring = params.getType() == IterationType.MEASUREMENT;
    }

    /** One step of each side, starting from a different one each call. */
    @Benchmark
    public void step() {
        int n = SIDES.size(), first = calls++ % n;
        for (int i = 0; i < n; i++) {
            String side = SIDES.get((first + i) % n);
            long t0 = System.nanoTime();
            Trainer trainer = trainers.get(side);
            trainer.step();
            if (!measuring) continue;
            millis.get(side).add((System.nanoTime() - t0) / 1e6);
            trainer.lastPhaseSeconds().forEach((phase, sec) -> phases.get(side).merge(phase, sec, Double::sum));
        }
    }

    @TearDown
    public void record() {
        Notes.writeTurns("lora.ms." + threads + ".", "lora.ms.note." + threads + ".", "%.1f", millis, List.of());
        phases.forEach((side, p) -> p.forEach((phase, sec) -> Notes.write("lora.phase." + threads + "." + side + "." + phase, String.format(java.util.Locale.ROOT, "%.2f", sec))));
    }
}
