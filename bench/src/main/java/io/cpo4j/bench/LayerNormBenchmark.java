package io.cpo4j.bench;

import io.cpo4j.engine.Rng;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.kernels.LayerNormKernel;
import io.cpo4j.engine.kernels.Parallel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

import java.util.Arrays;

/**
 * Layer normalisation over rows of width C, forward and backward (dx, dw, db), on GPT-2-small
 * activations (B·T = 1024 rows of 768) and `tiny` ones (2048 rows of 128).
 */
public class LayerNormBenchmark extends BenchmarkDefaults {

    @Param({"1024x768", "2048x128"})
    public String shape;

    @Param({"1", "2"})
    public int threads;

    private int rows, cols;
    private float[] x, w, b, y, mean, rstd, dy, dx, dw, db;

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
        b = Tensor.randn(rng, 1f, cols).data();
        y = new float[rows * cols];
        dx = new float[rows * cols];
        dw = new float[cols];
        db = new float[cols];
        mean = new float[rows];
        rstd = new float[rows];
    }

    @Benchmark
    public float[] forward() {
        LayerNormKernel.forward(x, 0, w, 0, b, 0, y, 0, mean, rstd, rows, cols, 1e-5f);
        return y;
    }

    @Benchmark
    public float[] backward() {
        Arrays.fill(dx, 0f);
        return backwardAdding();
    }

    /**
     * The kernel alone: dx, dw and db added to, as its contract says. The scaling run times this,
     * because {@link #backward}'s fill of dx runs on one thread whatever the thread count (and
     * leaves dx in that core's cache), which is the benchmark's cost, not the kernel's.
     */
    float[] backwardAdding() {
        LayerNormKernel.backward(dy, 0, x, 0, w, 0, mean, rstd, dx, 0, dw, 0, db, 0, rows, cols);
        return dx;
    }

    static double elements(String shape) {
        int[] s = Shapes.parse(shape, 2);
        return (double) s[0] * s[1];
    }
}
