package io.cpo4j.bench;

import io.cpo4j.engine.Rng;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.kernels.Parallel;
import io.cpo4j.engine.kernels.SoftmaxKernel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/** Row softmax, forward, on the peer's shapes ({@code rows x cols}); elements per second is the figure. */
public class SoftmaxBenchmark extends BenchmarkDefaults {

    @Param({"4096x1024", "3072x256"})
    public String shape;

    @Param({"1", "2"})
    public int threads;

    private int rows, cols;
    private float[] x, y;

    @Setup
    public void setup() {
        Parallel.setThreads(threads);
        int[] s = Shapes.parse(shape, 2);
        rows = s[0];
        cols = s[1];
        x = Tensor.randn(new Rng(2), 1f, rows * cols).data();
        y = new float[rows * cols];
    }

    @Benchmark
    public float[] softmax() {
        SoftmaxKernel.forward(x, 0, y, 0, rows, cols);
        return y;
    }

    static double elements(String shape) {
        int[] s = Shapes.parse(shape, 2);
        return (double) s[0] * s[1];
    }
}
