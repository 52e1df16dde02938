package io.cpo4j.bench;

import io.cpo4j.engine.Rng;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.kernels.Parallel;
import io.cpo4j.engine.kernels.RmsNormKernel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

import java.util.Arrays;

/**
 * RMS normalisation (Llama) over rows of width C, forward and backward (dx, dw), on the same
 * shapes as {@link LayerNormBenchmark}: 1024 rows of 768 and 2048 rows of 128.
 */
public class RmsNormBenchmark extends BenchmarkDefaults {

    @Param({"1024x768", "2048x128"})
    public String shape;

    @Param({"1", "2"})
    public int threads;

    private int rows, cols;
    private float[] x, w, y, rstd, dy, dx, dw;

    @Setup
    public void setup() {
        Parallel.setThreads(threads);
        int[] s = Shapes.parse(shape, 2);
        rows = s[0];
        cols = s[1];
        Rng rng = new Rng(3);
        x = Tensor.randn(rng, 1f, rows * cols).data();
        dy = Tensor.randn(rng, 1f, rows * cols).data();
        w = Tensor.randn(rng, 1f, cols).data();
        y = new float[rows * cols];
        dx = new float[rows * cols];
        dw = new float[cols];
        rstd = new float[rows];
    }

    @Benchmark
    public float[] forward() {
        RmsNormKernel.forward(x, 0, w, 0, y, 0, rstd, rows, cols, 1e-6f);
        return y;
    }

    @Benchmark
    public float[] backward() {
        Arrays.fill(dx, 0f);
        RmsNormKernel.backward(dy, 0, x, 0, w, 0, rstd, dx, 0, dw, 0, rows, cols);
        return dx;
    }

    static double elements(String shape) {
        int[] s = Shapes.parse(shape, 2);
        return (double) s[0] * s[1];
    }
}
