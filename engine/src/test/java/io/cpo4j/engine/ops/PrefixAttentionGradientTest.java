package io.cpo4j.engine.ops;

import io.cpo4j.engine.Rng;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.kernels.Parallel;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static io.cpo4j.engine.ops.GradCheck.check;
import static io.cpo4j.engine.ops.GradCheck.inputs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Attention after shared prefixes: forward against a double reference that runs each row behind
 * its prefix as one sequence, backward against finite differences of it (the prefix's keys and
 * values included, which collect every row's share), the two layouts against each other, the
 * unshared op on the concatenated rows, and 1 against 2 threads.
 */
class PrefixAttentionGradientTest {

    private static int[] s(int... d) {
        return d;
    }

    /**
     * Row r of q (R, T, H·D), k, v (R, T, KV·D) behind the first lengths[prefixOf[r]] positions of
     * pk, pv (N, P, KV·D), in double: softmax over [prefix keys ; own keys 0..t] of q·k/√D.
     */
    static Ref.D reference(Ref.D q, Ref.D k, Ref.D v, Ref.D pk, Ref.D pv, int[] lengths, int[] prefixOf, int heads, int kvHeads) {
        int rows = q.shape()[0], t = q.shape()[1], d = q.shape()[2] / heads, w = heads * d, kw = kvHeads * d, group = heads / kvHeads;
        int p = pk.shape()[1];
        double[] out = new double[rows * t * w];
        double scale = 1 / Math.sqrt(d);
        for (int r = 0; r < rows; r++) {
            int b = prefixOf[r], n = lengths[b];
            for (int h = 0; h < heads; h++) {
                int g = h / group;
                for (int i = 0; i < t; i++) {
                    double[] sc = new double[n + i + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < sc.length; j++) {
                        double dot = 0;
                        for (int e = 0; e < d; e++) {
                            double key = j < n ? pk.v()[(b * p + j) * kw + g * d + e] : k.v()[(r * t + j - n) * kw + g * d + e];
                            dot += q.v()[(r * t + i) * w + h * d + e] * key;
                        }
                        sc[j] = dot * scale;
                        max = Math.max(max, sc[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < sc.length; j++) sum += (sc[j] = Math.exp(sc[j] - max));
                    for (int j = 0; j < sc.length; j++)
                        for (int e = 0; e < d; e++) {
                            double value = j < n ? pv.v()[(b * p + j) * kw + g * d + e] : v.v()[(r * t + j - n) * kw + g * d + e];
                            out[(r * t + i) * w + h * d + e] += sc[j] / sum * value;
                        }
                }
            }
        }
        return new Ref.D(out, new int[] {rows, t, w});
    }

    /** The q, k or v part (C wide at column part·C) of packed rows (.., 3C), in double. */
    private static Ref.D part(Ref.D qkv, int part) {
        int[] sh = qkv.shape();
        int c = sh[2] / 3, rows = sh[0] * sh[1];
        double[] o = new double[rows * c];
        for (int i = 0; i < rows; i++) System.arraycopy(qkv.v(), i * 3 * c + part * c, o, i * c, c);
        return new Ref.D(o, new int[] {sh[0], sh[1], c});
    }

    // R, T, N, P, H, KV, D; prefixOf and lengths below per case
    private static final int[][] SHAPES = {{4, 5, 2, 6, 2, 1, 3}, {3, 3, 3, 4, 4, 2, 2}, {2, 1, 1, 3, 2, 2, 4}, {5, 4, 3, 5, 3, 3, 2}};
    private static final int[][] PREFIX_OF = {{0, 0, 1, 1}, {2, 0, 2}, {0, 0}, {1, 1, 1, 0, 1}};
    private static final int[][] LENGTHS = {{6, 3}, {4, 0, 2}, {3}, {5, 1, 4}};   // full, partial, empty; case 4's prefix 2 has no rows

    @Test
    void groupedQueriesMatchTheConcatenatedReferenceForwardAndBackward() {
        for (int c = 0; c < SHAPES.length; c++) {
            int[] x = SHAPES[c], prefixOf = PREFIX_OF[c], lengths = LENGTHS[c];
            int r = x[0], t = x[1], n = x[2], p = x[3], h = x[4], kv = x[5], d = x[6];
            check("prefix attention " + Arrays.toString(x), inputs(70 + c, s(r, t, h * d), s(r, t, kv * d), s(r, t, kv * d), s(n, p, kv * d), s(n, p, kv * d)),
                    in -> F.causalSelfAttentionAfterPrefix(in[0], in[1], in[2], in[3], in[4], lengths, prefixOf, h, kv),
                    ref -> reference(ref[0], ref[1], ref[2], ref[3], ref[4], lengths, prefixOf, h, kv));
        }
    }

    @Test
    void packedLayoutMatchesTheReferenceForwardAndBackward() {
        for (int c = 0; c < SHAPES.length; c++) {
            int[] x = SHAPES[c], prefixOf = PREFIX_OF[c], lengths = LENGTHS[c];
            int r = x[0], t = x[1], n = x[2], p = x[3], h = x[4], d = x[6], w = h * d;
            check("packed prefix attention " + Arrays.toString(x), inputs(80 + c, s(r, t, 3 * w), s(n, p, 3 * w)),
                    in -> F.causalSelfAttentionAfterPrefix(in[0], in[1], lengths, prefixOf, h),
                    ref -> reference(part(ref[0], 0), part(ref[0], 1), part(ref[0], 2), part(ref[1], 1), part(ref[1], 2), lengths, prefixOf, h, h));
        }
    }

    @Test
    void equalsCausalAttentionOverEachRowBehindItsPrefix() {
        // rows of 6 continuing prefixes of lengths 5 and 3 (P = 5): the unshared op on prefix + row
        int r = 3, t = 6, p = 5, heads = 2, c = 8;
        int[] lengths = {5, 3}, prefixOf = {1, 0, 1};
        Tensor rows = Tensor.randn(new Rng(90), 1f, r, t, 3 * c), prefix = Tensor.randn(new Rng(91), 1f, 2, p, 3 * c);
        float[] shared = F.causalSelfAttentionAfterPrefix(rows, prefix, lengths, prefixOf, heads).toArray();
        float[] rv = rows.toArray(), pv = prefix.toArray();
        for (int i = 0; i < r; i++) {
            int n = lengths[prefixOf[i]];
            float[] seq = new float[(n + t) * 3 * c];
            System.arraycopy(pv, prefixOf[i] * p * 3 * c, seq, 0, n * 3 * c);
            System.arraycopy(rv, i * t * 3 * c, seq, n * 3 * c, t * 3 * c);
            float[] full = F.causalSelfAttention(Tensor.of(seq, 1, n + t, 3 * c), heads).toArray();
            for (int j = 0; j < t * c; j++) {
                assertThat(shared[i * t * c + j]).as("row %d element %d", i, j).isCloseTo(full[(n * c) + j], org.assertj.core.data.Offset.offset(2e-6f));
            }
        }
    }

    @Test
    void oneAndTwoThreadsGiveTheSameBits() {
        int r = 6, t = 33, n = 2, p = 40, h = 4, kv = 2, d = 16;
        int[] lengths = {40, 17}, prefixOf = {0, 1, 0, 1, 1, 0};
        float[][] grads1 = run(1, r, t, n, p, h, kv, d, lengths, prefixOf), grads2 = run(2, r, t, n, p, h, kv, d, lengths, prefixOf);
        for (int i = 0; i < grads1.length; i++) assertThat(grads2[i]).as("output/gradient " + i).containsExactly(grads1[i]);
    }

    private static float[][] run(int threads, int r, int t, int n, int p, int h, int kv, int d, int[] lengths, int[] prefixOf) {
        int saved = Parallel.threads();
        Parallel.setThreads(threads);
        try {
            Tensor[] x = inputs(95, s(r, t, h * d), s(r, t, kv * d), s(r, t, kv * d), s(n, p, kv * d), s(n, p, kv * d));
            Tensor y = F.causalSelfAttentionAfterPrefix(x[0], x[1], x[2], x[3], x[4], lengths, prefixOf, h, kv);
            float[] dy = new float[y.size()];
            Rng rng = new Rng(96);
            for (int i = 0; i < dy.length; i++) dy[i] = (float) rng.nextGaussian();
            float[] out = y.toArray();
            y.backward(dy);
            return new float[][] {out, x[0].grad().toArray(), x[1].grad().toArray(), x[2].grad().toArray(), x[3].grad().toArray(), x[4].grad().toArray()};
        } finally {
            Parallel.setThreads(saved);
        }
    }

    @Test
    void refusesBadShapesAndIndices() {
        Tensor q = Tensor.zeros(2, 3, 8), k = Tensor.zeros(2, 3, 4), pk = Tensor.zeros(1, 5, 4);
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> F.causalSelfAttentionAfterPrefix(q, k, k, pk, pk, new int[] {6}, new int[] {0, 0}, 2, 1)).getMessage())
                .contains("prefix 0 has length 6");
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> F.causalSelfAttentionAfterPrefix(q, k, k, pk, pk, new int[] {5}, new int[] {0, 1}, 2, 1)).getMessage())
                .contains("row 1 continues prefix 1");
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> F.causalSelfAttentionAfterPrefix(q, k, k, pk, pk, new int[] {5}, new int[] {0}, 2, 1)).getMessage())
                .contains("1 prefix indices for 2 rows");
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> F.causalSelfAttentionAfterPrefix(q, k, k, Tensor.zeros(1, 5, 8), pk, new int[] {5}, new int[] {0, 0}, 2, 1)).getMessage())
                .contains("prefix k and v").contains("[1, 5, 8]");
    }
}
