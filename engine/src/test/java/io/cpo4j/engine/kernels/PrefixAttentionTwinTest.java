package io.cpo4j.engine.kernels;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static io.cpo4j.engine.kernels.Twins.assertTwins;
import static io.cpo4j.engine.kernels.Twins.randn;

/** The prefix-attention kernel's Vector API path against its scalar twin, forward and backward, at offsets. */
class PrefixAttentionTwinTest {

    /** R, T, N, P, H, KV, D (D past one vector, and with a tail). */
    private static final int[][] CASES = {{4, 17, 2, 23, 4, 2, 16}, {3, 9, 3, 12, 2, 1, 37}, {2, 40, 1, 50, 3, 3, 8}, {5, 1, 2, 7, 2, 2, 64}};

    @Test
    void vectorAndScalarTwinsAgreeForwardAndBackward() {
        for (int[] c : CASES) {
            int r = c[0], t = c[1], n = c[2], p = c[3], h = c[4], kv = c[5], d = c[6];
            int[] prefixOf = new int[r], lengths = new int[n];
            for (int i = 0; i < r; i++) prefixOf[i] = (i * 7 + 1) % n;
            for (int b = 0; b < n; b++) lengths[b] = b == 0 ? p : (p * b) / (n + 1);
            PrefixAttentionKernel.Prefixes pre = new PrefixAttentionKernel.Prefixes(n, p, lengths, prefixOf);
            AttentionHeads a = AttentionHeads.separate(r, t, h, kv, d);
            int qOff = 3, kOff = 5, vOff = 1, pkOff = 2, pvOff = 4, outOff = 6;
            Qkv in = new Qkv(randn(1, qOff + r * t * h * d), qOff, randn(2, kOff + r * t * kv * d), kOff, randn(3, vOff + r * t * kv * d), vOff);
            Qkv prefix = new Qkv(null, 0, randn(4, pkOff + n * p * kv * d), pkOff, randn(5, pvOff + n * p * kv * d), pvOff);
            float[] dout = randn(6, r * t * h * d);
            float[] ov = new float[outOff + r * t * h * d], os = ov.clone(), lv = new float[r * h * t], ls = lv.clone();
            for (int rh = 0; rh < r * h; rh++) {
                PrefixAttentionKernel.Vec.forwardHead(in, prefix, pre, ov, outOff, lv, 0, rh, a);
                PrefixAttentionKernel.forwardHeadScalar(in, prefix, pre, os, outOff, ls, 0, rh, a);
            }
            String what = Arrays.toString(c);
            assertTwins("prefix attention forward " + what, ov, os);
            assertTwins("prefix attention log-sum-exp " + what, lv, ls);
            Qkv gv = grads(in), gs = grads(in), pgv = grads(prefix), pgs = grads(prefix);
            int[][] rowsOf = pre.rowsOf();
            for (int bg = 0; bg < n * kv; bg++) {
                PrefixAttentionKernel.Vec.backwardGroup(dout, 0, in, prefix, pre, rowsOf, os, outOff, ls, 0, gv, pgv, bg, a);
                PrefixAttentionKernel.backwardGroupScalar(dout, 0, in, prefix, pre, rowsOf, os, outOff, ls, 0, gs, pgs, bg, a);
            }
            assertTwins("dq " + what, gv.q(), gs.q());
            assertTwins("dk " + what, gv.k(), gs.k());
            assertTwins("dv " + what, gv.v(), gs.v());
            assertTwins("prefix dk " + what, pgv.k(), pgs.k());
            assertTwins("prefix dv " + what, pgv.v(), pgs.v());
        }
    }

    /** Gradient arrays shaped as x's, starting from the same nonzero values (the kernel adds). */
    private static Qkv grads(Qkv x) {
        return new Qkv(x.q() == null ? null : randn(7, x.q().length), x.qOff(), randn(8, x.k().length), x.kOff(), randn(9, x.v().length), x.vOff());
    }
}
