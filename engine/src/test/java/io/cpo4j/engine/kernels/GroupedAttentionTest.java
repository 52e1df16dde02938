package io.cpo4j.engine.kernels;

import io.cpo4j.engine.Rng;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.ops.F;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static io.cpo4j.engine.kernels.Twins.assertTwins;
import static io.cpo4j.engine.kernels.Twins.randn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Grouped-query attention in the flash kernel: separate q (B, T, H·D) and k, v (B, T, KV·D) at
 * offsets, vector path against its scalar twin, and the scalar twin against the same attention
 * run the GPT-2 way on K and V repeated per query head (HF's {@code repeat_kv}), whose dK and dV
 * summed over each group are the grouped gradients.
 */
class GroupedAttentionTest {

    /** B, T, H, KV, D. */
    private static final int[][] CASES = {{2, 17, 4, 2, 8}, {1, 33, 6, 2, 16}, {1, 130, 4, 1, 20}, {2, 40, 3, 3, 12}, {1, 5, 8, 1, 64}};
    private static final int Q_OFF = 3, K_OFF = 5, V_OFF = 1, OUT_OFF = 2;

    @Test
    void vectorAndScalarTwinsAgreeForwardAndBackward() {
        for (int[] c : CASES) {
            Case x = new Case(c);
            float[] ov = new float[OUT_OFF + x.outSize()], os = ov.clone(), lv = new float[x.lseSize()], ls = lv.clone();
            for (int bh = 0; bh < x.a.batch() * x.a.heads(); bh++) {
                FlashAttentionKernel.Vec.forwardHead(x.in, ov, OUT_OFF, lv, 0, bh, x.a);
                FlashAttentionKernel.forwardHeadScalar(x.in, os, OUT_OFF, ls, 0, bh, x.a);
            }
            assertTwins("GQA forward " + x, ov, os);
            assertTwins("GQA log-sum-exp " + x, lv, ls);
            Qkv gv = x.gradients(30), gs = x.gradients(30);
            for (int bg = 0; bg < x.a.batch() * x.a.kvHeads(); bg++) {
                FlashAttentionKernel.Vec.backwardGroup(x.dout, 0, x.in, os, OUT_OFF, ls, 0, gv, bg, x.a);
                FlashAttentionKernel.backwardGroupScalar(x.dout, 0, x.in, os, OUT_OFF, ls, 0, gs, bg, x.a);
            }
            assertTwins("GQA dq " + x, gv.q(), gs.q());
            assertTwins("GQA dk " + x, gv.k(), gs.k());
            assertTwins("GQA dv " + x, gv.v(), gs.v());
        }
    }

    @Test
    void groupedEqualsTheGpt2KernelOnRepeatedKeysAndValues() {
        for (int[] c : CASES) {
            Case x = new Case(c);
            int b = x.a.batch(), t = x.a.time(), h = x.a.heads(), kv = x.a.kvHeads(), d = x.a.headDim(), w = h * d, group = h / kv;
            // the packed (B, T, 3·H·D) input with every KV head copied to each of its query heads
            float[] qkv = new float[b * t * 3 * w];
            for (int r = 0; r < b * t; r++) {
                System.arraycopy(x.in.q(), Q_OFF + r * w, qkv, r * 3 * w, w);
                for (int head = 0; head < h; head++) {
                    System.arraycopy(x.in.k(), K_OFF + r * kv * d + head / group * d, qkv, r * 3 * w + w + head * d, d);
                    System.arraycopy(x.in.v(), V_OFF + r * kv * d + head / group * d, qkv, r * 3 * w + 2 * w + head * d, d);
                }
            }
            float[] outRef = new float[b * t * w], lseRef = new float[x.lseSize()], dqkv = new float[qkv.length];
            for (int bh = 0; bh < b * h; bh++) FlashAttentionKernel.forwardHeadScalar(Qkv.packed(qkv, 0, w), outRef, 0, lseRef, 0, bh, AttentionHeads.packed(b, t, w, h));
            for (int bh = 0; bh < b * h; bh++) {
                FlashAttentionKernel.backwardGroupScalar(x.dout, 0, Qkv.packed(qkv, 0, w), outRef, 0, lseRef, 0, Qkv.packed(dqkv, 0, w), bh, AttentionHeads.packed(b, t, w, h));
            }
            float[] out = new float[OUT_OFF + x.outSize()], lse = new float[x.lseSize()];
            FlashAttentionKernel.forward(x.in, out, OUT_OFF, lse, 0, x.a);
            Qkv g = x.gradients(0);
            FlashAttentionKernel.backward(x.dout, 0, x.in, out, OUT_OFF, lse, 0, g, x.a);
            assertTwins("GQA output vs repeated KV " + x, Arrays.copyOfRange(out, OUT_OFF, out.length), outRef);
            assertTwins("GQA lse vs repeated KV " + x, lse, lseRef);
            float[] dq = new float[b * t * w], dk = new float[b * t * kv * d], dv = new float[b * t * kv * d];
            for (int r = 0; r < b * t; r++) {
                System.arraycopy(dqkv, r * 3 * w, dq, r * w, w);
                for (int head = 0; head < h; head++) {
                    for (int e = 0; e < d; e++) {
                        dk[r * kv * d + head / group * d + e] += dqkv[r * 3 * w + w + head * d + e];
                        dv[r * kv * d + head / group * d + e] += dqkv[r * 3 * w + 2 * w + head * d + e];
                    }
                }
            }
            assertTwins("GQA dq vs repeated KV " + x, Arrays.copyOfRange(g.q(), Q_OFF, g.q().length), dq);
            assertTwins("GQA dk vs summed repeats " + x, Arrays.copyOfRange(g.k(), K_OFF, g.k().length), dk);
            assertTwins("GQA dv vs summed repeats " + x, Arrays.copyOfRange(g.v(), V_OFF, g.v().length), dv);
        }
    }

    @Test
    void oneAndTwoThreadsGiveTheSameBits() {
        Case x = new Case(new int[] {2, 150, 8, 2, 16});
        float[][] one = run(x, 1), two = run(x, 2);
        for (int i = 0; i < one.length; i++) assertThat(Arrays.equals(one[i], two[i])).as("result " + i).isTrue();
    }

    private static float[][] run(Case x, int threads) {
        int before = Parallel.threads();
        try {
            Parallel.setThreads(threads);
            float[] out = new float[OUT_OFF + x.outSize()], lse = new float[x.lseSize()];
            FlashAttentionKernel.forward(x.in, out, OUT_OFF, lse, 0, x.a);
            Qkv g = x.gradients(31);
            FlashAttentionKernel.backward(x.dout, 0, x.in, out, OUT_OFF, lse, 0, g, x.a);
            return new float[][] {out, lse, g.q(), g.k(), g.v()};
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void decodeAttentionServesEachQueryHeadFromItsSharedKvHeadInACacheOfKvRows() {
        // the training op's K and V are the decoder's cache, rows (position, KV·D): query head h at
        // step t, attending over positions [0, t] of KV head h / (H/KV), is the op's output there
        int b = 2, t = 23, heads = 6, kvHeads = 2, d = 16, group = heads / kvHeads, w = heads * d, kw = kvHeads * d;
        Tensor q = Tensor.randn(new Rng(25), 1f, b, t, w), k = Tensor.randn(new Rng(26), 1f, b, t, kw), v = Tensor.randn(new Rng(27), 1f, b, t, kw);
        float[] trained = F.causalSelfAttention(q, k, v, heads, kvHeads).toArray();
        float[] qa = q.toArray(), ka = k.toArray(), va = v.toArray(), scores = new float[t];
        for (int z = 0; z < b; z++) {
            for (int step = 0; step < t; step++) {
                float[] vec = new float[w], scalar = new float[w];
                for (int h = 0; h < heads; h++) {
                    int qOff = (z * t + step) * w + h * d, cacheOff = z * t * kw, headOff = h / group * d;
                    DecodeAttentionKernel.Vec.attend(qa, qOff, ka, va, cacheOff, kw, headOff, step + 1, d, vec, h * d, scores);
                    DecodeAttentionKernel.attendScalar(qa, qOff, ka, va, cacheOff, kw, headOff, step + 1, d, scalar, h * d, scores);
                }
                float[] expected = Arrays.copyOfRange(trained, (z * t + step) * w, (z * t + step + 1) * w);
                assertTwins("decode vs training, batch " + z + " step " + step, vec, expected);
                assertTwins("decode scalar vs training, batch " + z + " step " + step, scalar, expected);
            }
        }
    }

    @Test
    void headsThatDoNotShareEvenlyAreRefused() {
        assertThat(assertThrows(IllegalArgumentException.class, () -> AttentionHeads.separate(1, 4, 6, 4, 8)).getMessage())
                .contains("6 query heads").contains("4 KV heads");
    }

    /** Random q, k, v at offsets in their own arrays, and an output gradient. */
    private static final class Case {
        final AttentionHeads a;
        final Qkv in;
        final float[] dout;

        Case(int[] c) {
            a = AttentionHeads.separate(c[0], c[1], c[2], c[3], c[4]);
            int rows = c[0] * c[1];
            in = new Qkv(randn(20, Q_OFF + rows * c[2] * c[4]), Q_OFF, randn(21, K_OFF + rows * c[3] * c[4]), K_OFF,
                    randn(22, V_OFF + rows * c[3] * c[4]), V_OFF);
            dout = randn(23, rows * c[2] * c[4]);
        }

        int outSize() {
            return a.batch() * a.time() * a.outWidth();
        }

        int lseSize() {
            return a.batch() * a.heads() * a.time();
        }

        /** Gradient arrays shaped as the inputs, starting from random values (the kernels accumulate) or zero. */
        Qkv gradients(long seed) {
            if (seed == 0) return new Qkv(new float[in.q().length], Q_OFF, new float[in.k().length], K_OFF, new float[in.v().length], V_OFF);
            return new Qkv(randn(seed, in.q().length), Q_OFF, randn(seed + 1, in.k().length), K_OFF, randn(seed + 2, in.v().length), V_OFF);
        }

        @Override
        public String toString() {
            return "B" + a.batch() + " T" + a.time() + " H" + a.heads() + " KV" + a.kvHeads() + " D" + a.headDim();
        }
    }
}
