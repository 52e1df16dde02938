package io.cpo4j.bench;

import io.cpo4j.engine.Rng;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.kernels.Gemm;
import io.cpo4j.engine.kernels.Parallel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * C = A·B in float32, row-major, on the shapes of {@code ../shared/peers/numpy_gemm_softmax.py}:
 * squares, the GPT-2 MLP up-projection and a batch of attention-score products.
 * {@link #shape} is {@code batch x m x k x n}.
 */
public class MatmulBenchmark extends BenchmarkDefaults {

    @Param({"1x256x256x256", "1x512x512x512", "1x1024x1024x1024", "1x2048x2048x2048", "1x512x768x3072", "12x256x64x256"})
    public String shape;

    @Param({"1", "2"})
    public int threads;

    private int batch, m, k, n;
    private float[] a, b, c;

    @Setup
    public void setup() {
        Parallel.setThreads(threads);
        int[] s = Shapes.parse(shape, 4);
        batch = s[0];
        m = s[1];
        k = s[2];
        n = s[3];
        Rng rng = new Rng(1);
        a = Tensor.randn(rng, 1f, batch * m * k).data();
        b = Tensor.randn(rng, 1f, batch * k * n).data();
        c = new float[batch * m * n];
    }

    @Benchmark
    public float[] matmul() {
        Gemm.gemmBatched(batch, false, false, m, n, k, a, 0, k, m * k, b, 0, n, k * n, c, 0, n, m * n, false);
        return c;
    }

    /** Floating-point operations of one call. */
    static double flops(String shape) {
        int[] s = Shapes.parse(shape, 4);
        return 2.0 * s[0] * s[1] * s[2] * s[3];
    }
}
