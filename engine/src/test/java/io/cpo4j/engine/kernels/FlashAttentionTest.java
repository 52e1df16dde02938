package io.cpo4j.engine.kernels;

import org.junit.jupiter.api.Test;

import static io.cpo4j.engine.kernels.Twins.assertTwins;
import static io.cpo4j.engine.kernels.Twins.randn;

/**
 * The tiled (flash) attention: vector path against its scalar twin, and the scalar twin against
 * the materialised scalar attention, on shapes that leave partial query blocks, key chunks and
 * micro-tiles, and with T past several key chunks.
 */
class FlashAttentionTest {

    /** B, T, C, heads. */
    private static final int[][] CASES = {{2, 17, 12, 3}, {1, 1, 4, 1}, {2, 33, 64, 2}, {1, 40, 96, 3}, {1, 230, 128, 2}, {1, 70, 40, 1}};

    @Test
    void forwardMatchesItsScalarTwinAndTheMaterialisedAttention() {
        for (int[] c : CASES) {
            int b = c[0], t = c[1], width = c[2], heads = c[3];
            String name = "B" + b + " T" + t + " C" + width + " H" + heads;
            float[] qkv = randn(21, b * t * 3 * width);
            float[] ov = new float[b * t * width], os = new float[b * t * width], om = new float[b * t * width];
            float[] lv = new float[b * heads * t], ls = new float[b * heads * t];
            for (int bh = 0; bh < b * heads; bh++) {
                FlashAttentionKernel.Vec.forwardHead(qkv, 0, ov, 0, lv, 0, bh, t, width, heads);
                FlashAttentionKernel.forwardHeadScalar(qkv, 0, os, 0, ls, 0, bh, t, width, heads);
                AttentionKernel.forwardHeadScalar(qkv, 0, om, 0, null, 0, new float[t], bh, t, width, heads);
            }
            assertTwins("flash forward " + name, ov, os);
            assertTwins("flash log-sum-exp " + name, lv, ls);
            assertTwins("flash scalar vs materialised " + name, os, om);
        }
    }

    @Test
    void backwardMatchesItsScalarTwinAndTheMaterialisedAttention() {
        for (int[] c : CASES) {
            int b = c[0], t = c[1], width = c[2], heads = c[3];
            String name = "B" + b + " T" + t + " C" + width + " H" + heads;
            float[] qkv = randn(22, b * t * 3 * width), dout = randn(23, b * t * width), g0 = randn(24, qkv.length);
            float[] out = new float[b * t * width], lse = new float[b * heads * t], att = new float[b * heads * t * t];
            for (int bh = 0; bh < b * heads; bh++) {
                FlashAttentionKernel.forwardHeadScalar(qkv, 0, out, 0, lse, 0, bh, t, width, heads);
                AttentionKernel.forwardHeadScalar(qkv, 0, new float[out.length], 0, att, 0, null, bh, t, width, heads);
            }
            float[] gv = g0.clone(), gs = g0.clone(), gm = g0.clone();
            for (int bh = 0; bh < b * heads; bh++) {
                FlashAttentionKernel.Vec.backwardHead(dout, 0, qkv, 0, out, 0, lse, 0, gv, 0, bh, t, width, heads);
                FlashAttentionKernel.backwardHeadScalar(dout, 0, qkv, 0, out, 0, lse, 0, gs, 0, bh, t, width, heads);
                AttentionKernel.backwardHeadScalar(dout, 0, qkv, 0, att, 0, gm, 0, new float[t], bh, t, width, heads);
            }
            assertTwins("flash backward " + name, gv, gs);
            assertTwins("flash scalar vs materialised backward " + name, gs, gm);
        }
    }
}
