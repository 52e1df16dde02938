package io.cpo4j.bench;

import io.cpo4j.engine.kernels.Parallel;
import io.cpo4j.model.llama.Llama;
import io.cpo4j.model.llama.LlamaConfig;
import io.cpo4j.model.lm.Decoder;
import io.cpo4j.model.lm.KvCache;
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
 * Incremental decoding of a Llama of smollm2-135m's shape with a KV cache: one new token for each
 * of {@code batch} sequences at position {@link LlamaTables#DECODE_POSITION} (the prompt is
 * prefilled in setup, the cache rewound after every call). Batch-1 decoding streams every weight
 * once per token, so {@link DecodeBound} holds it against {@link MemoryBandwidthBenchmark}'s figure.
 */
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-Xms4g", "-Xmx4g"})
public class LlamaDecodeBenchmark extends BenchmarkDefaults {

    @Param({"1"})
    public int batch;

    @Param({"1", "2"})
    public int threads;

    private Decoder decoder;
    private KvCache[] caches;
    private int[][] next;

    @Setup
    public void setup() {
        Parallel.setThreads(threads);
        decoder = decoder();
        caches = prefill(decoder, batch, LlamaTables.DECODE_POSITION, decoder.config().vocabSize());
        next = new int[batch][1];
        for (int b = 0; b < batch; b++) next[b][0] = 42 + b;
    }

    /** The decoder of a randomly initialised Llama of {@link LlamaTables#SHAPE}'s config (seed 1), in eval mode. */
    static Decoder decoder() {
        Llama llama = Llama.create(LlamaConfig.preset(LlamaTables.SHAPE.name()), 1);
        llama.setTraining(false);
        return llama.decoder();
    }

    /** {@code batch} caches holding {@code position} prompt tokens each (distinct per sequence), room for one more step. */
    static KvCache[] prefill(Decoder decoder, int batch, int position, int vocab) {
        KvCache[] caches = new KvCache[batch];
        int[][] prompts = new int[batch][position];
        for (int b = 0; b < batch; b++) {
            caches[b] = decoder.newCache(position + 1);
            for (int t = 0; t < position; t++) prompts[b][t] = (b * 31 + t * 7) % vocab;
        }
        decoder.forward(caches, prompts, false);
        return caches;
    }

    /** Every call decodes at the same position: the cache is rewound before the step. */
    @Setup(Level.Invocation)
    public void rewind() {
        for (KvCache c : caches) c.truncate(LlamaTables.DECODE_POSITION);
    }

    @Benchmark
    public float[] step() {
        return decoder.forward(caches, next, false);
    }
}
