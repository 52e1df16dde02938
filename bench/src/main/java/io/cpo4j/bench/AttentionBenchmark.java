package io.cpo4j.bench;

import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.Rng;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.kernels.Parallel;
import io.cpo4j.engine.ops.F;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * Causal self-attention through the op (qkv (B, T, 3C) → (B, T, C)), as a model calls it, on
 * {@code B x T x C x heads}: GPT-2 small's training shape, `tiny`'s, and a long context where
 * the tiled (flash) path runs. GFLOPS count the causal products only: forward
 * 2·B·T·(T+1)·C (scores and weighted values over the lower triangle), backward twice that.
 */
public class AttentionBenchmark extends BenchmarkDefaults {

    @Param({"4x256x768x12", "16x128x128x4", "1x1024x768x12"})
    public String shape;

    @Param({"1", "2"})
    public int threads;

    private Tensor qkv;
    private int heads;
    private float[] gradient;

    @Setup
    public void setup() {
        Parallel.setThreads(threads);
        int[] s = Shapes.parse(shape, 4);
        heads = s[3];
        qkv = Tensor.randn(new Rng(4), 1f, s[0], s[1], 3 * s[2]);
        gradient = Tensor.randn(new Rng(5), 1f, s[0] * s[1] * s[2]).data();
    }

    @Benchmark
    public Tensor forward() {
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            return F.causalSelfAttention(qkv, heads);
        }
    }

    @Benchmark
    public Tensor forwardBackward() {
        qkv.requiresGrad(true);
        qkv.zeroGrad();
        Tensor out = F.causalSelfAttention(qkv, heads);
        out.backward(gradient);
        return qkv;
    }

    static double forwardFlops(String shape) {
        int[] s = Shapes.parse(shape, 4);
        return 2.0 * s[0] * s[1] * (s[1] + 1.0) * s[2];
    }

    static double forwardBackwardFlops(String shape) {
        return 3 * forwardFlops(shape);
    }
}
