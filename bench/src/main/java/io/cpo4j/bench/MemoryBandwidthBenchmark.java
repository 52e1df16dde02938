package io.cpo4j.bench;

import io.cpo4j.engine.kernels.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

import java.util.concurrent.TimeUnit;

/**
 * Memory bandwidth: a copy of 256 MiB of floats (far beyond the caches), split over the engine's
 * threads, bandwidth = 2 × bytes (read + write) / time; and a read of the same array (a vectorised
 * sum), which is how decoding meets memory: it only reads the weights.
 */
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class MemoryBandwidthBenchmark extends BenchmarkDefaults {

    static final int FLOATS = 64 << 20;

    @Param({"1", "2"})
    public int threads;

    private float[] src, dst;
    private final double[] partial = new double[FLOATS >> 20];

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

    @Benchmark
    public double[] read() {
        return read(src, partial);
    }

    /** One read of all of {@code x} (a multiple of 2^20 floats) over the engine's threads; partial sums per 2^20 floats. */
    static double[] read(float[] x, double[] partial) {
        Parallel.forRange(x.length, 1 << 20, (from, to) -> partial[from >> 20] = sum(x, from, to));
        return partial;
    }

    /** Σ x[from, to) with four vector accumulators: a few adds per 64 bytes, far below what memory delivers. */
    private static double sum(float[] x, int from, int to) {
        VectorSpecies<Float> s = FloatVector.SPECIES_PREFERRED;
        int step = 4 * s.length(), i = from;
        FloatVector a = FloatVector.zero(s), b = a, c = a, d = a;
        for (; i + step <= to; i += step) {
            a = a.add(FloatVector.fromArray(s, x, i));
            b = b.add(FloatVector.fromArray(s, x, i + s.length()));
            c = c.add(FloatVector.fromArray(s, x, i + 2 * s.length()));
            d = d.add(FloatVector.fromArray(s, x, i + 3 * s.length()));
        }
        double total = a.add(b).add(c.add(d)).reduceLanes(VectorOperators.ADD);
        for (; i < to; i++) total += x[i];
        return total;
    }

    /** Bytes moved per copy (read and written). */
    static double bytes() {
        return 2.0 * 4 * FLOATS;
    }

    /** Bytes read per read. */
    static double readBytes() {
        return 4.0 * FLOATS;
    }
}
