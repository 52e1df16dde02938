package io.cpo4j.bench;

import io.cpo4j.engine.Rng;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.kernels.AdamWKernel;
import io.cpo4j.engine.kernels.Parallel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/** One AdamW step over 16M parameters (GPT-2 settings: betas 0.9/0.95, weight decay 0.1); parameters per second. */
public class AdamWBenchmark extends BenchmarkDefaults {

    @Param({"16777216"})
    public String shape;

    @Param({"1", "2"})
    public int threads;

    private int n;
    private long step;
    private float[] p, g, m, v;

    @Setup
    public void setup() {
        Parallel.setThreads(threads);
        n = Integer.parseInt(shape);
        Rng rng = new Rng(8);
        p = Tensor.randn(rng, 1f, n).data();
        g = Tensor.randn(rng, 1f, n).data();
        m = new float[n];
        v = new float[n];
    }

    @Benchmark
    public float[] step() {
        AdamWKernel.update(p, g, m, v, 0, n, 1e-4f, 0.9f, 0.95f, 1e-8f, 0.1f, ++step);
        return p;
    }

    static double elements(String shape) {
        return Double.parseDouble(shape);
    }
}
