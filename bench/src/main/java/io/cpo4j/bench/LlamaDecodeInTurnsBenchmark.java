package io.cpo4j.bench;

import io.cpo4j.engine.kernels.Parallel;
import io.cpo4j.model.lm.Decoder;
import io.cpo4j.model.lm.KvCache;
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

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Batch-1 decoding of {@link LlamaDecodeBenchmark}, measured in turns with the two read probes that
 * set its bound: every call runs {@link #STEPS} decoding steps, {@link #PASSES} passes of the native
 * read ({@code bench/peers/mem_read.c --serve}) and as many of the Java read
 * ({@link MemoryBandwidthBenchmark#read}), in an order that rotates from call to call. On a shared
 * host the bandwidth a VM gets drifts by 2× within a minute; taken in turns, the decode and its bound
 * meet the same moments, and the report takes the ratio within each call. Figures go to the notes
 * ({@code decode.turns.<threads>.<who>}: ms per step for cpo4j, GB/s for the probes, in call order).
 */
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 8, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-Xms4g", "-Xmx4g"})
public class LlamaDecodeInTurnsBenchmark extends BenchmarkDefaults {

    /** Decoding steps per turn (about 0.3-0.6 s) and read passes per probe turn (256 MiB each, about 0.3 s). */
    static final int STEPS = 8, PASSES = 20;

    @Param({"1"})
    public int batch;

    @Param({"1", "2"})
    public int threads;

    private Decoder decoder;
    private KvCache[] caches;
    private int[][] next;
    private float[] javaArray;
    private final double[] partial = new double[MemoryBandwidthBenchmark.FLOATS >> 20];
    private PeerProcess nativeRead;
    private final Map<String, List<Double>> figures = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();
    private boolean measuring;
    private int calls;

    @Setup
    public void setup() throws IOException {
        Parallel.setThreads(threads);
        decoder = LlamaDecodeBenchmark.decoder();
        caches = LlamaDecodeBenchmark.prefill(decoder, batch, LlamaTables.DECODE_POSITION, decoder.config().vocabSize());
        next = new int[batch][1];
        for (int b = 0; b < batch; b++) next[b][0] = 42 + b;
        javaArray = new float[MemoryBandwidthBenchmark.FLOATS];
        for (int i = 0; i < javaArray.length; i++) javaArray[i] = i & 1023;
        figures.put("cpo4j", new ArrayList<>());
        figures.put("java", new ArrayList<>());
        Path root = Path.of(System.getProperty(TrainStepInTurnsBenchmark.ROOT, "."));
        Path binary = Files.createTempDirectory("cpo4j-mem-read").resolve("mem_read");
        if (NativeRead.build(root.resolve("bench/peers/mem_read.c"), binary, notes)) {
            nativeRead = PeerProcess.start(List.of("env", "OMP_WAIT_POLICY=PASSIVE", binary.toString(), "--serve"), threads, null, notes);
            if (nativeRead != null) figures.put("native", new ArrayList<>());
        }
    }

    @Setup(Level.Iteration)
    public void nextIteration(IterationParams params) {
        measuring = params.getType() == IterationType.MEASUREMENT;
    }

    /** One turn of each side, starting from a different one each call. */
    @Benchmark
    public void turns() {
        List<String> who = new ArrayList<>(figures.keySet());
        int n = who.size(), first = calls++ % n;
        for (int i = 0; i < n; i++) {
            String w = who.get((first + i) % n);
            double figure = switch (w) {
                case "cpo4j" -> decodeMillisPerStep();
                case "java" -> javaReadGigabytesPerSecond();
                default -> nativeRead.ask("read " + PASSES);
            };
            if (measuring) figures.get(w).add(figure);
        }
    }

    private double decodeMillisPerStep() {
        long t0 = System.nanoTime();
        for (int s = 0; s < STEPS; s++) {
            for (KvCache c : caches) c.truncate(LlamaTables.DECODE_POSITION);
            decoder.forward(caches, next, false);
        }
        return (System.nanoTime() - t0) / 1e6 / STEPS;
    }

    private double javaReadGigabytesPerSecond() {
        long t0 = System.nanoTime();
        for (int p = 0; p < PASSES; p++) MemoryBandwidthBenchmark.read(javaArray, partial);
        return PASSES * MemoryBandwidthBenchmark.readBytes() / (System.nanoTime() - t0);
    }

    @TearDown
    public void record() {
        if (nativeRead != null) nativeRead.close();
        Notes.writeTurns(LlamaTables.TURNS + threads + ".", LlamaTables.TURNS + "note." + threads + ".", "%.4f", figures, notes);
    }
}
