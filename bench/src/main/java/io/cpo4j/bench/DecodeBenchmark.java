package io.cpo4j.bench;

import io.cpo4j.engine.kernels.Parallel;
import io.cpo4j.model.lm.Decoder;
import io.cpo4j.model.lm.KvCache;
import io.cpo4j.model.gpt.Gpt;
import io.cpo4j.model.gpt.GptConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Incremental decoding of GPT-2 124M with a KV cache: one new token for each of {@code batch}
 * sequences at position ~128. Batch-1 decoding streams every weight once per token, so its bound
 * is (parameter bytes) / (memory bandwidth), which {@link MemoryBandwidthBenchmark} measures.
 */
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-Xms4g", "-Xmx4g"})
public class DecodeBenchmark extends BenchmarkDefaults {

    @Param({"1", "8"})
    public int batch;

    @Param({"1", "2"})
    public int threads;

    static final int POSITION = 128;

    private Decoder decoder;
    private KvCache[] caches;
    private int[][] next;

    @Setup
    public void setup() {
        Parallel.setThreads(threads);
        Gpt gpt = Gpt.create(GptConfig.gpt2().withContextLength(256), 1);
        gpt.setTraining(false);
        decoder = gpt.decoder();
        caches = new KvCache[batch];
        int[][] prompts = new int[batch][POSITION];
        next = new int[batch][1];
        for (int b = 0; b < batch; b++) {
            caches[b] = decoder.newCache(256);
            for (int t = 0; t < POSITION; t++) prompts[b][t] = (b * 31 + t * 7) % 50257;
            next[b][0] = 42 + b;
        }
        decoder.forward(caches, prompts, false);
    }

    /** Every call decodes at the same position: the cache is rewound after the step. */
    @Setup(Level.Invocation)
    public void rewind() {
        for (KvCache c : caches) c.truncate(POSITION);
    }

    @Benchmark
    public float[] step() {
        return decoder.forward(caches, next, false);
    }

    /** Bytes of float32 parameters streamed per decoding step. */
    static double parameterBytes() {
        return 4.0 * GptConfig.gpt2().withContextLength(256).parameterCount();
    }
}
