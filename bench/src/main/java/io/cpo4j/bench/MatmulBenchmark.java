package io.cpo4j.bench;

import io.cpo4j.engine.Rng;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.kernels.Gemm;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/** C = A·B for square float32 matrices; GFLOPS = 2·n³ / time. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class MatmulBenchmark {

    @Param({"256", "512", "1024"})
    public int n;

    private float[] a, b, c;

    @Setup
    public void setup() {
        Rng rng = new Rng(1);
        a = Tensor.randn(rng, 1f, n, n).data();
        b = Tensor.randn(rng, 1f, n, n).data();
        c = new float[n * n];
    }

    @Benchmark
    public float[] square() {
        Gemm.gemm(false, false, n, n, n, a, 0, n, b, 0, n, c, 0, n, false);
        return c;
    }
}
