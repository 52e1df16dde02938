package io.cpo4j.engine.kernels;

import org.junit.jupiter.api.Test;

import static io.cpo4j.engine.kernels.Twins.assertTwins;
import static io.cpo4j.engine.kernels.Twins.randn;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tiled (flash) attention: vector path against its scalar twin, and the scalar twin against
 * a materialised attention computed in double precision, on shapes that leave partial query
 * blocks, key chunks and micro-tiles, and with T past several key chunks.
 */
class FlashAttentionTest {

    /** B, T, C, heads. */
    private static final int[][] CASES = {{2, 17, 12, 3}, {1, 1, 4, 1}, {2, 33, 64, 2}, {1, 40, 96, 3}, {1, 230, 128, 2}, {1, 70, 40, 1}};

    /** Tolerance against the double-precision reference, relative to max(|ref|, rms(ref)). */
    private static final double REF = 2e-5;

    @Test
    void forwardMatchesItsScalarTwinAndTheMaterialisedAttention() {
        for (int[] c : CASES) {
            int b = c[0], t = c[1], width = c[2], heads = c[3];
            String name = "B" + b + " T" + t + " C" + width + " H" + heads;
            float[] qkv = randn(21, b * t * 3 * width);
            float[] ov = new float[b * t * width], os = new float[b * t * width];
            float[] lv = new float[b * heads * t], ls = new float[b * heads * t];
            for (int bh = 0; bh < b * heads; bh++) {
                FlashAttentionKernel.Vec.forwardHead(Qkv.packed(qkv, 0, width), ov, 0, lv, 0, bh, AttentionHeads.packed(b, t, width, heads));
                FlashAttentionKernel.forwardHeadScalar(Qkv.packed(qkv, 0, width), os, 0, ls, 0, bh, AttentionHeads.packed(b, t, width, heads));
            }
            assertTwins("flash forward " + name, ov, os);
            assertTwins("flash log-sum-exp " + name, lv, ls);
            assertClose("flash scalar vs materialised " + name, os, Reference.of(qkv, null, b, t, width, heads).out);
        }
    }

    @Test
    void backwardMatchesItsScalarTwinAndTheMaterialisedAttention() {
        for (int[] c : CASES) {
            int b = c[0], t = c[1], width = c[2], heads = c[3];
            String name = "B" + b + " T" + t + " C" + width + " H" + heads;
            float[] qkv = randn(22, b * t * 3 * width), dout = randn(23, b * t * width), g0 = randn(24, qkv.length);
            float[] out = new float[b * t * width], lse = new float[b * heads * t];
            for (int bh = 0; bh < b * heads; bh++) FlashAttentionKernel.forwardHeadScalar(Qkv.packed(qkv, 0, width), out, 0, lse, 0, bh, AttentionHeads.packed(b, t, width, heads));
            float[] gv = g0.clone(), gs = g0.clone();
            for (int bh = 0; bh < b * heads; bh++) {
                FlashAttentionKernel.Vec.backwardGroup(dout, 0, Qkv.packed(qkv, 0, width), out, 0, lse, 0, Qkv.packed(gv, 0, width), bh, AttentionHeads.packed(b, t, width, heads));
                FlashAttentionKernel.backwardGroupScalar(dout, 0, Qkv.packed(qkv, 0, width), out, 0, lse, 0, Qkv.packed(gs, 0, width), bh, AttentionHeads.packed(b, t, width, heads));
            }
            assertTwins("flash backward " + name, gv, gs);
            double[] gm = Reference.of(qkv, dout, b, t, width, heads).dqkv;
            for (int i = 0; i < gm.length; i++) gm[i] += g0[i];             // the kernel accumulates into g0
            assertClose("flash scalar vs materialised backward " + name, gs, gm);
        }
    }

    @Test
    void forwardCutIntoQueryRangesGivesTheSameBitsOnAnyThreadCount() {
        for (int[] c : CASES) {
            int b = c[0], t = c[1], width = c[2], heads = c[3];
            String name = "B" + b + " T" + t + " C" + width + " H" + heads;
            Qkv in = Qkv.packed(randn(25, b * t * 3 * width), 0, width);
            AttentionHeads a = AttentionHeads.packed(b, t, width, heads);
            float[] whole = new float[b * t * width], wholeLse = new float[b * heads * t];
            for (int bh = 0; bh < b * heads; bh++) FlashAttentionKernel.Vec.forwardHead(in, whole, 0, wholeLse, 0, bh, a);
            for (int parts = 2; parts <= 5; parts++) {
                float[] out = new float[whole.length], lse = new float[wholeLse.length];
                for (int bh = 0; bh < b * heads; bh++) {
                    for (int part = 0; part < parts; part++) {
                        FlashAttentionKernel.Vec.forwardQueries(in, out, 0, lse, 0, bh,
                                FlashAttentionKernel.partStart(part, parts, t), FlashAttentionKernel.partStart(part + 1, parts, t), a);
                    }
                }
                assertThat(out).as("%s in %d query ranges", name, parts).containsExactly(whole);
                assertThat(lse).as("%s log-sum-exp in %d query ranges", name, parts).containsExactly(wholeLse);
            }
            int before = Parallel.threads();
            try {
                for (int threads : new int[] {1, 2, 3, 8}) {
                    Parallel.setThreads(threads);
                    float[] out = new float[whole.length], lse = new float[wholeLse.length];
                    FlashAttentionKernel.forward(in, out, 0, lse, 0, a);
                    assertThat(out).as("%s on %d threads", name, threads).containsExactly(whole);
                    assertThat(lse).as("%s log-sum-exp on %d threads", name, threads).containsExactly(wholeLse);
                }
            } finally {
                Parallel.setThreads(before);
            }
        }
    }

    @Test
    void tasksVisitEveryHeadOnceWithNeighboursApart() {
        for (int[] bh : new int[][] {{1, 12}, {1, 1}, {1, 5}, {4, 12}, {3, 2}, {2, 7}}) {
            int batch = bh[0], heads = bh[1], n = batch * heads;
            boolean[] seen = new boolean[n];
            for (int i = 0; i < n; i++) {
                int pair = FlashAttentionKernel.apart(i, batch, heads);
                assertThat(pair).as("B %d H %d task %d", batch, heads, i).isBetween(0, n - 1);
                assertThat(seen[pair]).as("B %d H %d: pair %d twice", batch, heads, pair).isFalse();
                seen[pair] = true;
                if (i > 0 && n > 3) {
                    int before = FlashAttentionKernel.apart(i - 1, batch, heads);
                    boolean sameRows = before / heads == pair / heads;
                    // the switch from even to odd heads may land next to the last even one only when H is odd
                    if (sameRows && !(batch == 1 && heads % 2 == 1 && i == (heads + 1) / 2)) {
                        assertThat(Math.abs(before - pair)).as("B %d H %d: tasks %d and %d are neighbouring heads", batch, heads, i - 1, i)
                                .isGreaterThan(1);
                    }
                }
            }
        }
    }

    @Test
    void queryRangesAreWholeBlocksWithEvenCausalWork() {
        int nr = Gemm.Vec.NR;
        assertThat(FlashAttentionKernel.queryParts(48, 256, 2)).as("GPT-2 at batch 4 on 2 threads: a task per head").isEqualTo(1);
        assertThat(FlashAttentionKernel.queryParts(12, 1024, 16)).isEqualTo(6);
        assertThat(FlashAttentionKernel.queryParts(1, 40, 16)).as("no more ranges than query blocks").isEqualTo((40 + nr - 1) / nr);
        for (int T : new int[] {256, 1000, 1024, 4096}) {
            for (int parts = 1; parts <= 8; parts++) {
                long total = (long) T * (T + 1) / 2, blockWork = (long) nr * T;
                assertThat(FlashAttentionKernel.partStart(0, parts, T)).isZero();
                assertThat(FlashAttentionKernel.partStart(parts, parts, T)).isEqualTo(T);
                for (int part = 0; part < parts; part++) {
                    int from = FlashAttentionKernel.partStart(part, parts, T), to = FlashAttentionKernel.partStart(part + 1, parts, T);
                    assertThat(from % nr).as("T %d, range %d of %d starts on a block", T, part, parts).isZero();
                    assertThat(to).as("ranges in order (one may be empty where √ spacing is under a block)").isGreaterThanOrEqualTo(from);
                    long work = (long) to * (to + 1) / 2 - (long) from * (from + 1) / 2;   // keys seen by queries [from, to)
                    assertThat(Math.abs(work - total / parts)).as("T %d, range %d of %d: %d key-query pairs", T, part, parts, work)
                            .isLessThanOrEqualTo(blockWork);
                }
            }
        }
    }

    private static void assertClose(String what, float[] actual, double[] ref) {
        assertThat(actual).as(what + ": length").hasSize(ref.length);
        double ss = 0;
        for (double r : ref) ss += r * r;
        double rms = Math.sqrt(ss / Math.max(1, ref.length));
        for (int i = 0; i < ref.length; i++) {
            double tol = REF * Math.max(Math.abs(ref[i]), rms) + 1e-30;
            assertThat(Math.abs(actual[i] - ref[i])).as("%s: element %d, %s vs reference %s", what, i, actual[i], ref[i]).isLessThanOrEqualTo(tol);
        }
    }

    /**
     * Causal attention over qkv (B, T, 3C), scale 1/√D, with every head's probabilities stored:
     * out (B, T, C), and, given dout, dqkv (B, T, 3C) from the textbook backward
     * dV = Pᵀ·dO, dP = dO·Vᵀ, dS = P ∘ (dP − rowsum(P ∘ dP)), dQ = dS·K/√D, dK = dSᵀ·Q/√D.
     */
    private record Reference(double[] out, double[] dqkv) {
        static Reference of(float[] qkv, float[] dout, int b, int t, int c, int heads) {
            int d = c / heads, c3 = 3 * c;
            double scale = 1 / Math.sqrt(d);
            double[] out = new double[b * t * c], dqkv = new double[qkv.length];
            for (int z = 0; z < b; z++) {
                for (int h = 0; h < heads; h++) {
                    int q0 = z * t * c3 + h * d, k0 = q0 + c, v0 = q0 + 2 * c, o0 = z * t * c + h * d;
                    double[][] p = new double[t][t];
                    for (int i = 0; i < t; i++) {
                        double max = Double.NEGATIVE_INFINITY;
                        for (int j = 0; j <= i; j++) {
                            double s = 0;
                            for (int e = 0; e < d; e++) s += (double) qkv[q0 + i * c3 + e] * qkv[k0 + j * c3 + e];
                            p[i][j] = s * scale;
                            max = Math.max(max, p[i][j]);
                        }
                        double sum = 0;
                        for (int j = 0; j <= i; j++) sum += p[i][j] = Math.exp(p[i][j] - max);
                        for (int j = 0; j <= i; j++) {
                            p[i][j] /= sum;
                            for (int e = 0; e < d; e++) out[o0 + i * c + e] += p[i][j] * qkv[v0 + j * c3 + e];
                        }
                    }
                    if (dout == null) continue;
                    for (int i = 0; i < t; i++) {
                        double[] dp = new double[i + 1];
                        double dot = 0;
                        for (int j = 0; j <= i; j++) {
                            for (int e = 0; e < d; e++) {
                                double g = dout[o0 + i * c + e];
                                dp[j] += g * qkv[v0 + j * c3 + e];
                                dqkv[v0 + j * c3 + e] += p[i][j] * g;
                            }
                            dot += p[i][j] * dp[j];
                        }
                        for (int j = 0; j <= i; j++) {
                            double ds = p[i][j] * (dp[j] - dot) * scale;
                            for (int e = 0; e < d; e++) {
                                dqkv[q0 + i * c3 + e] += ds * qkv[k0 + j * c3 + e];
                                dqkv[k0 + j * c3 + e] += ds * qkv[q0 + i * c3 + e];
                            }
                        }
                    }
                }
            }
            return new Reference(out, dqkv);
        }
    }
}
