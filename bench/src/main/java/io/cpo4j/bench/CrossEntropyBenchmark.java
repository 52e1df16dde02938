package io.cpo4j.bench;

import io.cpo4j.engine.Rng;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.kernels.CrossEntropyKernel;
import io.cpo4j.engine.kernels.Parallel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

import java.util.Arrays;

/**
 * Cross-entropy fused with log-softmax, forward and backward, over (rows × vocab) logits:
 * `tiny` (16·128 positions, vocab 512) and GPT-2 small (4·256 positions, vocab 50257).
 */
public class CrossEntropyBenchmark extends BenchmarkDefaults {

    @Param({"2048x512", "1024x50257"})
    public String shape;

    @Param({"1", "2"})
    public int threads;

    private int rows, vocab;
    private float[] logits, dlogits, lse, logProb, scale;
    private int[] targets;

    @Setup
    public void setup() {
        Parallel.setThreads(threads);
        int[] s = Shapes.parse(shape, 2);
        rows = s[0];
        vocab = s[1];
        Rng rng = new Rng(7);
        logits = Tensor.randn(rng, 1f, rows * vocab).data();
        dlogits = new float[rows * vocab];
        targets = new int[rows];
        for (int i = 0; i < rows; i++) targets[i] = rng.nextInt(vocab);
        lse = new float[rows];
        logProb = new float[rows];
        scale = new float[rows];
        Arrays.fill(scale, 1f / rows);
    }

    @Benchmark
    public float[] forwardBackward() {
        CrossEntropyKernel.forward(logits, 0, rows, vocab, targets, 0, lse, logProb);
        CrossEntropyKernel.backward(logits, 0, rows, vocab, targets, 0, lse, scale, dlogits, 0);
        return dlogits;
    }

    static double elements(String shape) {
        int[] s = Shapes.parse(shape, 2);
        return (double) s[0] * s[1];
    }
}
