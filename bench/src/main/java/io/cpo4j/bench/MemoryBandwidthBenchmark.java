package io.cpo4j.bench;

import io.cpo4j.engine.kernels.Parallel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

import java.util.concurrent.TimeUnit;

/**
 * Memory bandwidth, as decoding meets it: a copy of 256 MiB of floats (far beyond the caches),
 * split over the engine's threads. Bandwidth = 2 × bytes (read + write) / time.
 */
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class MemoryBandwidthBenchmark extends BenchmarkDefaults {

    static final int FLOATS = 64 << 20;

    @Param({"1", "2"})
    public int threads;

    private float[] src, dst;

    @Setup
    public void setup() {
        Parallel.setThreads(threads);
        src = new float[FLOATS];
        dst = new float[FLOATS];
        for (int i = 0; i < FLOATS; i++) src[i] = i;
    }

    @Benchmark
    public float[] copy() {
        Parallel.forRange(FLOATS, 1 << 20, (from, to) -> System.arraycopy(src, from, dst, from, to - from));
        return dst;
    }

    /** Bytes moved per call (read and written). */
    static double bytes() {
        return 2.0 * 4 * FLOATS;
    }
}
