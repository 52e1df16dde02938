package io.cpo4j.bench;

import io.cpo4j.engine.Rng;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.kernels.GeluKernel;
import io.cpo4j.engine.kernels.Parallel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/** GELU (tanh approximation) forward and backward over GPT-2 small's MLP activations, B·T = 1024 rows of 3072. */
public class GeluBenchmark extends BenchmarkDefaults {

    @Param({"3145728"})
    public String shape;

    @Param({"1", "2"})
    public int threads;

    private int n;
    private float[] x, y, dy, dx;

    @Setup
    public void setup() {
        Parallel.setThreads(threads);
        n = Integer.parseInt(shape);
        Rng rng = new Rng(6);
        x = Tensor.randn(rng, 1f, n).data();
        dy = Tensor.randn(rng, 1f, n).data();
        y = new float[n];
        dx = new float[n];
    }

    @Benchmark
    public float[] forward() {
        GeluKernel.forward(x, 0, y, 0, n);
        return y;
    }

    @Benchmark
    public float[] backward() {
        GeluKernel.backward(x, 0, dy, 0, dx, 0, n);
        return dx;
    }

    static double elements(String shape) {
        return Double.parseDouble(shape);
    }
}
