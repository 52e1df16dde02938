package io.cpo4j.engine.ops;

import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.DType;
import io.cpo4j.engine.Rng;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.kernels.HalfFloats;
import io.cpo4j.engine.kernels.Parallel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * linear, linears and embedding with a frozen half-precision weight equal, bit for bit, the same
 * ops on the widened float32 weight: outputs and the gradient that flows to the input, on the
 * mat-vec path (decoding) and the GEMM path, with 1 and 2 threads.
 */
class HalfWeightOpsTest {

    private final int defaultThreads = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(defaultThreads);
    }

    /** A half tensor of random values and its widened float32 twin. */
    private static Tensor[] weight(long seed, DType dtype, int... shape) {
        float[] w = Tensor.randn(new Rng(seed), 0.5f, shape).toArray();
        short[] bits = new short[w.length + 3];
        HalfFloats.narrow(w, 0, bits, 3, w.length, dtype == DType.BF16);
        Tensor half = Tensor.frozenHalf(bits, 3, dtype, shape).named("w");
        return new Tensor[] {half, half.widen()};
    }

    @Test
    void linearEqualsFloatLinearOnWidenedWeightsForwardAndDx() {
        java.util.Map<String, float[]> firstThreadCount = new java.util.HashMap<>();
        for (int threads : new int[] {1, 2}) {
            Parallel.setThreads(threads);
            for (DType dtype : new DType[] {DType.BF16, DType.F16}) {
                Tensor[] w = weight(1, dtype, 300, 256);              // large enough that 2 threads share the work
                Tensor bias = Tensor.randn(new Rng(2), 1f, 300);
                for (int rows : new int[] {1, 3, 8, 9, 40}) {
                    for (Tensor b : new Tensor[] {bias, null}) {
                        String what = dtype + ", " + threads + " threads, " + rows + " rows" + (b == null ? "" : ", bias");
                        float[] xv = Tensor.randn(new Rng(rows), 1f, rows, 256).toArray();
                        try (var s = Autograd.noGrad()) {                       // up to 8 rows: the mat-vec path
                            assertThat(F.linear(Tensor.wrap(xv.clone(), 1, rows, 256), w[0], b).toArray()).as(what + ", no graph")
                                    .containsExactly(F.linear(Tensor.wrap(xv.clone(), 1, rows, 256), w[1], b).toArray());
                        }
                        Tensor xh = Tensor.wrap(xv.clone(), 1, rows, 256).requiresGrad(true), xf = Tensor.wrap(xv.clone(), 1, rows, 256).requiresGrad(true);
                        Tensor yh = F.linear(xh, w[0], b), yf = F.linear(xf, w[1], b);     // a graph: the GEMM path
                        assertThat(yh.toArray()).as(what + ", forward").containsExactly(yf.toArray());
                        float[] dy = Tensor.randn(new Rng(7), 1f, rows * 300).toArray();
                        yh.backward(dy);
                        yf.backward(dy);
                        assertThat(xh.grad().toArray()).as(what + ", dx").containsExactly(xf.grad().toArray());
                        String key = dtype + " " + rows + " " + (b != null);
                        float[] seen = firstThreadCount.putIfAbsent(key, concat(yh.toArray(), xh.grad().toArray()));
                        if (seen != null) assertThat(concat(yh.toArray(), xh.grad().toArray())).as(what + ": same bits as on 1 thread").containsExactly(seen);
                        assertThat(xh.grad().toArray()).as(what + ": a gradient reached x").isNotEqualTo(new float[rows * 256]);
                        assertThat(w[0].hasGrad()).as("a half weight gets no gradient").isFalse();
                    }
                }
            }
        }
    }

    private static float[] concat(float[] a, float[] b) {
        float[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** The gradient through a half weight against finite differences of the float32 op on the widened weight, in double. */
    @Test
    void dxThroughAHalfWeightMatchesFiniteDifferences() {
        Tensor[] w = weight(3, DType.BF16, 5, 17);
        double[] wd = new double[85];
        float[] wf = w[1].toArray();
        for (int i = 0; i < 85; i++) wd[i] = wf[i];
        GradCheck.check("linear, bf16 weight", GradCheck.inputs(4, new int[] {2, 3, 17}),
                x -> F.linear(x[0], w[0], null), r -> Ref.linear(r[0], new Ref.D(wd, new int[] {5, 17}), null));
    }

    @Test
    void linearsWithHalfWeightsEqualFloatLinears() {
        for (int threads : new int[] {1, 2}) {
            Parallel.setThreads(threads);
            for (DType dtype : new DType[] {DType.BF16, DType.F16}) {
                Tensor[] q = weight(5, dtype, 32, 48), k = weight(6, dtype, 16, 48);
                Tensor bq = Tensor.randn(new Rng(8), 1f, 32);
                for (int rows : new int[] {1, 5, 12}) {
                    Tensor x = Tensor.randn(new Rng(9), 1f, 1, rows, 48);
                    try (var s = Autograd.noGrad()) {
                        Tensor[] h = F.linears(x, new Tensor[] {q[0], k[0]}, new Tensor[] {bq, null});
                        Tensor[] f = F.linears(x, new Tensor[] {q[1], k[1]}, new Tensor[] {bq, null});
                        assertThat(h[0].toArray()).as("%s %d rows q", dtype, rows).containsExactly(f[0].toArray());
                        assertThat(h[1].toArray()).as("%s %d rows k", dtype, rows).containsExactly(f[1].toArray());
                        Tensor[] mixed = F.linears(x, new Tensor[] {q[0], k[1]}, null);     // one half, one float32: one at a time
                        assertThat(mixed[1].toArray()).containsExactly(F.linear(x, k[1], null).toArray());
                    }
                }
            }
        }
    }

    @Test
    void embeddingFromAHalfTableAndTheTiedHead() {
        for (DType dtype : new DType[] {DType.BF16, DType.F16}) {
            Tensor[] table = weight(10, dtype, 50, 40);
            int[] ids = {3, 49, 0, 3, 17, 22};
            assertThat(F.embedding(ids, new int[] {2, 3}, table[0]).toArray()).as(dtype + " gather")
                    .containsExactly(F.embedding(ids, new int[] {2, 3}, table[1]).toArray());
            // GPT-2's tied head: logits = hidden · Eᵀ, gradients to hidden through the half table
            Tensor hh = Tensor.randn(new Rng(11), 1f, 2, 3, 40).requiresGrad(true), hf = hh.detach().widen().requiresGrad(true);
            Tensor lh = F.linear(hh, table[0], null), lf = F.linear(hf, table[1], null);
            assertThat(lh.toArray()).containsExactly(lf.toArray());
            F.sum(F.mul(lh, lh)).backward();
            F.sum(F.mul(lf, lf)).backward();
            assertThat(hh.grad().toArray()).as(dtype + " tied head dx").containsExactly(hf.grad().toArray());
        }
    }

    @Test
    void aHalfTensorIsFrozenAndOnlyTheHalfAwareOpsTakeIt() {
        Tensor w = weight(12, DType.BF16, 6, 4)[0];
        assertThat(w.dtype()).isEqualTo(DType.BF16);
        assertThat(w.requiresGrad()).isFalse();
        assertThatThrownBy(() -> w.requiresGrad(true)).hasMessageContaining("BF16").hasMessageContaining("cannot be trained");
        assertThatThrownBy(() -> F.add(w, w)).hasMessageStartingWith("add: input 'w' of shape [6, 4] is BF16");
        assertThatThrownBy(() -> F.gelu(w)).hasMessageStartingWith("gelu: ").hasMessageContaining("BF16");
        assertThatThrownBy(() -> F.matmul(Tensor.zeros(2, 6), w)).hasMessageStartingWith("matmul: ");
        assertThatThrownBy(() -> F.linear(Tensor.zeros(2, 4), w, w.slice(0, 1).reshape(4))).hasMessageStartingWith("linear: ");
        assertThatThrownBy(() -> F.linear(w, Tensor.zeros(3, 4), null)).hasMessageStartingWith("linear: ");
        assertThatThrownBy(w::transpose).hasMessageStartingWith("transpose: ");
        assertThatThrownBy(w::data).hasMessageStartingWith("data(): ").hasMessageContaining("F.linear");
        // views and reads
        Tensor rows = w.slice(2, 4);
        assertThat(rows.dtype()).isEqualTo(DType.BF16);
        assertThat(rows.toArray()).containsExactly(java.util.Arrays.copyOfRange(w.toArray(), 8, 16));
        assertThat(w.reshape(4, 6).get(1, 0)).isEqualTo(w.get(1, 0 + 2));
        assertThat(rows.halfData()).isSameAs(w.halfData());
        assertThat(w.contiguous()).isSameAs(w);
        assertThat(F.linear(Tensor.full(1f, 1, 4), rows, null).toArray())
                .containsExactly(F.linear(Tensor.full(1f, 1, 4), rows.widen(), null).toArray());
    }
}
