package io.cpo4j.bench;

import io.cpo4j.engine.Rng;
import io.cpo4j.engine.kernels.Parallel;
import io.cpo4j.model.data.RandomWindows;
import io.cpo4j.model.data.TokenShard;
import io.cpo4j.model.gpt.Gpt;
import io.cpo4j.model.gpt.GptConfig;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;


import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One full training step — forward, backward, clipping, AdamW — of the configurations
 * {@code ../shared/peers/torch_gpt_step.py} measures: {@code tiny} (vocab 512, 4 layers, width 128,
 * batch 16 × 128) and GPT-2 124M (batch 4 × 256). tokens/s = B·T / time.
 */
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-Xms8g", "-Xmx8g"})
public class TrainStepBenchmark extends BenchmarkDefaults {

    @Param({"tiny", "small"})
    public String config;

    @Param({"1", "2"})
    public int threads;

    private Trainer trainer;
    private AtomicLong peakAfterGc;

    /** (config, B, T) as in torch_gpt_step.py. */
    static int[] batchAndBlock(String config) {
        return config.equals("tiny") ? new int[] {16, 128} : new int[] {4, 256};
    }

    static GptConfig model(String config) {
        return config.equals("tiny") ? GptConfig.tiny() : GptConfig.gpt2().withContextLength(256);
    }

    @Setup
    public void setup() {
        Parallel.setThreads(threads);
        trainer = trainer(config);
    }

    /** A next-token trainer of {@code config} on random tokens, as torch_gpt_step.py's batch (clipping at 1). */
    static Trainer trainer(String config) {
        GptConfig c = model(config);
        int b = batchAndBlock(config)[0], t = batchAndBlock(config)[1];
        Gpt gpt = Gpt.create(c, 1);
        int[] tokens = new int[200_000];
        Rng rng = new Rng(1);
        for (int i = 0; i < tokens.length; i++) tokens[i] = rng.nextInt(c.vocabSize());
        TrainConfig tc = TrainConfig.builder().batchSize(b).blockSize(t).maxSteps(Integer.MAX_VALUE).learningRate(1e-4f).warmupSteps(10)
                .evalEvery(0).evalBatches(1).checkpointEvery(0).keepCheckpoints(1).maxBadSteps(3).seed(1).build();
        return new Trainer(gpt, tc, new NextTokenObjective(gpt, new RandomWindows(TokenShard.of(tokens), t, 1)), GradientReducer.LOCAL);
    }

    @Benchmark
    public Map<String, Double> step() {
        return trainer.step();
    }

    /**
     * Starts watching the heap: after every collection, what the heap pools hold (the live data at that
     * moment, activations of a step in flight included). Its maximum is the peak heap a step needs,
     * whatever the young generation's size; eden's size (set by -Xmx) does not enter it.
     */
    @Setup
    public void watchHeap() {
        peakAfterGc = HeapPeak.watch();
    }

    /** The peak live heap over the benchmark (max after any collection) and what a full GC leaves at the end. */
    @TearDown
    public void recordHeap() {
        System.gc();
        long atRest = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        Notes.write("heap.peak." + config + "." + threads, Long.toString(Math.max(peakAfterGc.get(), atRest)));
        Notes.write("heap.live." + config + "." + threads, Long.toString(atRest));
    }

    /** Tokens of one step. */
    static double tokens(String config) {
        int[] bt = batchAndBlock(config);
        return (double) bt[0] * bt[1];
    }
}
