package io.cpo4j.bench;

import io.cpo4j.engine.Rng;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.kernels.Parallel;
import io.cpo4j.engine.kernels.SwiGluKernel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/** SwiGLU, silu(gate) · up, forward and backward (d gate, d up) over 1024 rows of 3072, as {@link GeluBenchmark}. */
public class SwiGluBenchmark extends BenchmarkDefaults {

    @Param({"3145728"})
    public String shape;

    @Param({"1", "2"})
    public int threads;

    private int n;
    private float[] gate, up, y, dy, dGate, dUp;

    @Setup
    public void setup() {
        Parallel.setThreads(threads);
        n = Integer.parseInt(shape);
        Rng rng = new Rng(6);
        gate = Tensor.randn(rng, 1f, n).data();
        up = Tensor.randn(rng, 1f, n).data();
        dy = Tensor.randn(rng, 1f, n).data();
        y = new float[n];
        dGate = new float[n];
        dUp = new float[n];
    }

    @Benchmark
    public float[] forward() {
        SwiGluKernel.forward(gate, 0, up, 0, y, 0, n);
        return y;
    }

    @Benchmark
    public float[] backward() {
        SwiGluKernel.backward(gate, 0, up, 0, dy, 0, dGate, 0, dUp, 0, n);
        return dGate;
    }

    static double elements(String shape) {
        return Double.parseDouble(shape);
    }
}
