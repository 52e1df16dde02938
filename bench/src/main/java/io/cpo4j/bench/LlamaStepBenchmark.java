package io.cpo4j.bench;

import io.cpo4j.engine.Rng;
import io.cpo4j.engine.kernels.Parallel;
import io.cpo4j.model.data.RandomWindows;
import io.cpo4j.model.data.TokenShard;
import io.cpo4j.model.llama.Llama;
import io.cpo4j.model.llama.LlamaConfig;
import io.cpo4j.model.train.GradientReducer;
import io.cpo4j.model.train.NextTokenObjective;
import io.cpo4j.model.train.TrainConfig;
import io.cpo4j.model.train.Trainer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One full training step — forward, backward, clipping at 1, AdamW — of a Llama of smollm2-135m's
 * shape on batch {@link LlamaTables#STEP_BATCH} × {@link LlamaTables#STEP_BLOCK} random tokens, the
 * step {@code bench/peers/torch_llama_step.py --grad-clip 1} times (its AdamW: lr 6e-4, betas
 * (0.9, 0.95), eps 1e-8, weight decay 0.1). tokens/s = B·T / time.
 */
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 4)
@Measurement(iterations = 5, time = 4)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-Xms8g", "-Xmx8g"})
public class LlamaStepBenchmark extends BenchmarkDefaults {

    @Param({"smollm2-135m"})
    public String config;

    @Param({"1", "2"})
    public int threads;

    private Trainer trainer;

    @Setup
    public void setup() {
        Parallel.setThreads(threads);
        trainer = trainer(config);
    }

    @Benchmark
    public Map<String, Double> step() {
        return trainer.step();
    }

    /** The preset the peer names {@code config} (same shapes as torch_llama_step.py's CONFIGS). */
    static LlamaConfig model(String config) {
        return LlamaConfig.preset(config);
    }

    /** The trainer of the measured step: preset {@code config}, batch {@link LlamaTables#STEP_BATCH} × {@link LlamaTables#STEP_BLOCK}. */
    static Trainer trainer(String config) {
        return trainer(model(config), LlamaTables.STEP_BATCH, LlamaTables.STEP_BLOCK);
    }

    /** A next-token trainer of {@code c} on random tokens, batch × block per step, with the peer's AdamW and clipping at 1. */
    static Trainer trainer(LlamaConfig c, int batch, int block) {
        Llama llama = Llama.create(c, 1);
        int[] tokens = new int[200_000];
        Rng rng = new Rng(1);
        for (int i = 0; i < tokens.length; i++) tokens[i] = rng.nextInt(c.vocabSize());
        TrainConfig tc = TrainConfig.builder().batchSize(batch).blockSize(block).maxSteps(Integer.MAX_VALUE)
                .learningRate(6e-4f).warmupSteps(0).betas(0.9f, 0.95f).eps(1e-8f).weightDecay(0.1f).gradClip(1f)
                .evalEvery(0).evalBatches(1).checkpointEvery(0).keepCheckpoints(1).maxBadSteps(3).seed(1).build();
        return new Trainer(llama, tc, new NextTokenObjective(llama, new RandomWindows(TokenShard.of(tokens), block, 1)), GradientReducer.LOCAL);
    }
}
