package io.cpo4j.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Causal attention of rows that continue shared prefixes: row r continues prefix b = prefixOf[r],
 * and its query t attends to that prefix's first lengths[b] keys and values and to its own keys
 * and values 0..t, as if the row had been run behind the prefix in one sequence. K rows that
 * share a prompt thus read its keys and values from one place instead of each computing them.
 *
 * <p>Layout: the rows' q, k, v as {@link AttentionHeads} gives them (batch = rows); the prefixes'
 * keys and values (N, P, ·) with the same row stride (kvStride) and head columns, right-padded
 * to P (a prefix's positions past its length are never read). Output (rows, T, H·D), scores
 * scaled by 1/√D, one log-sum-exp per (row, head, query) for the backward.
 *
 * <p>The forward is split over (row, query head) pairs, each writing only its own output columns.
 * The backward is split over (prefix, KV head) pairs: one task walks that prefix's rows in order,
 * and each row's query heads of the group in order, so the shared prefix dK and dV, and every
 * row's own dq, dk, dv columns of the group, are written by one thread in one order:
 * bit-identical results for any thread count.
 *
 * <p>Each query holds its scores in a scratch row (P + T floats), so unlike
 * {@link FlashAttentionKernel} it is not tiled: meant for the continuation rows of scoring, where
 * T and P are prompt- and answer-sized. The vector path differs from the scalar twin only in its
 * dot products and axpys ({@link VectorDot}, fused multiply-adds).
 */
public final class PrefixAttentionKernel {

    /**
     * Which prefix each row continues and how long each prefix is: lengths (N) each in [0, time],
     * prefixOf (rows) each in [0, N).
     */
    public record Prefixes(int count, int time, int[] lengths, int[] prefixOf) {

        public Prefixes {
            if (count < 1 || time < 0 || lengths.length != count) {
                throw new IllegalArgumentException("prefix attention: " + lengths.length + " lengths for " + count + " prefixes of time " + time);
            }
            for (int b = 0; b < count; b++) {
                if (lengths[b] < 0 || lengths[b] > time) {
                    throw new IllegalArgumentException("prefix attention: prefix " + b + " has length " + lengths[b] + ", outside [0, " + time + "]");
                }
            }
            for (int r = 0; r < prefixOf.length; r++) {
                if (prefixOf[r] < 0 || prefixOf[r] >= count) {
                    throw new IllegalArgumentException("prefix attention: row " + r + " continues prefix " + prefixOf[r] + ", outside [0, " + count + ")");
                }
            }
        }

        /** The rows of each prefix, in row order. */
        int[][] rowsOf() {
            int[] n = new int[count];
            for (int b : prefixOf) n[b]++;
            int[][] rows = new int[count][];
            for (int b = 0; b < count; b++) rows[b] = new int[n[b]];
            int[] at = new int[count];
            for (int r = 0; r < prefixOf.length; r++) rows[prefixOf[r]][at[prefixOf[r]]++] = r;
            return rows;
        }
    }

    private PrefixAttentionKernel() {}

    /**
     * out (rows, T, H·D) = attention of the rows' queries over [their prefix's keys ; their own
     * causal keys]; lse (rows, H, T) may be null. {@code prefix}'s q is not read.
     */
    public static void forward(Qkv in, Qkv prefix, Prefixes p, float[] out, int outOff, float[] lse, int lseOff, AttentionHeads a) {
        check(p, a);
        boolean vector = Simd.ENABLED;
        int scratch = p.time() + a.time();
        Parallel.forChunks(a.batch() * a.heads(), 1, (from, to) -> {
            float[] scores = new float[Math.max(1, scratch)];
            for (int rh = from; rh < to; rh++) forwardHead(vector, in, prefix, p, out, outOff, lse, lseOff, rh, a, scores);
        });
    }

    /**
     * grad (dq, dk, dv laid out as {@code in}) and prefixGrad (dk, dv laid out as {@code prefix})
     * += the gradient of the output {@code dout} (rows, T, H·D), from the forward's out and lse.
     */
    public static void backward(float[] dout, int dOff, Qkv in, Qkv prefix, Prefixes p, float[] out, int outOff,
                                float[] lse, int lseOff, Qkv grad, Qkv prefixGrad, AttentionHeads a) {
        check(p, a);
        boolean vector = Simd.ENABLED;
        int[][] rowsOf = p.rowsOf();
        Parallel.forChunks(p.count() * a.kvHeads(), 1, (from, to) -> {
            for (int bg = from; bg < to; bg++) backwardGroup(vector, dout, dOff, in, prefix, p, rowsOf, out, outOff, lse, lseOff, grad, prefixGrad, bg, a);
        });
    }

    private static void check(Prefixes p, AttentionHeads a) {
        if (p.prefixOf().length != a.batch()) {
            throw new IllegalArgumentException("prefix attention: " + p.prefixOf().length + " prefix indices for " + a.batch() + " rows");
        }
    }

    /**
     * One (row, query head) pair of the forward; {@code vector} picks the Vector API dot products
     * and axpys or their scalar twins. scores: scratch of at least P + T floats.
     */
    static void forwardHead(boolean vector, Qkv in, Qkv prefix, Prefixes p, float[] out, int outOff, float[] lse, int lseOff,
                            int rh, AttentionHeads a, float[] scores) {
        int T = a.time(), D = a.headDim(), H = a.heads(), r = rh / H, h = rh % H, g = h / a.group();
        int qs = a.qStride(), ks = a.kvStride(), C = a.outWidth(), b = p.prefixOf()[r], n = p.lengths()[b];
        float scale = (float) (1.0 / Math.sqrt(D));
        int qBase = in.qOff() + r * T * qs + h * D, kBase = in.kOff() + r * T * ks + g * D, vBase = in.vOff() + r * T * ks + g * D;
        int pkBase = prefix.kOff() + b * p.time() * ks + g * D, pvBase = prefix.vOff() + b * p.time() * ks + g * D;
        for (int t = 0; t < T; t++) {
            int q = qBase + t * qs, keys = n + t + 1;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < keys; j++) {
                float s = dot(vector, in.q(), q, j < n ? prefix.k() : in.k(), j < n ? pkBase + j * ks : kBase + (j - n) * ks, D) * scale;
                scores[j] = s;
                max = Math.max(max, s);
            }
            float sum = 0f;
            for (int j = 0; j < keys; j++) {
                float e = Exp.exp(scores[j] - max);
                scores[j] = e;
                sum += e;
            }
            int dst = outOff + (r * T + t) * C + h * D;
            java.util.Arrays.fill(out, dst, dst + D, 0f);
            for (int j = 0; j < keys; j++) {
                axpy(vector, scores[j], j < n ? prefix.v() : in.v(), j < n ? pvBase + j * ks : vBase + (j - n) * ks, out, dst, D);
            }
            float inv = 1f / sum;
            for (int d = 0; d < D; d++) out[dst + d] *= inv;
            if (lse != null) lse[lseOff + rh * T + t] = max + (float) Math.log(sum);
        }
    }

    /**
     * One (prefix, KV head) pair of the backward: the prefix's rows in order, each row's query
     * heads of the group in order. With p = exp(s − lse) and δ = ⟨dout, out⟩ per query:
     * dv_j += p·dout, ds = p·(⟨dout, v_j⟩ − δ)/√D, dq += ds·k_j, dk_j += ds·q, over the prefix's
     * keys and the row's own.
     */
    static void backwardGroup(boolean vector, float[] dout, int dOff, Qkv in, Qkv prefix, Prefixes p, int[][] rowsOf,
                              float[] out, int outOff, float[] lse, int lseOff, Qkv grad, Qkv prefixGrad, int bg, AttentionHeads a) {
        int T = a.time(), D = a.headDim(), H = a.heads(), KV = a.kvHeads(), b = bg / KV, g = bg % KV, group = a.group();
        int qs = a.qStride(), ks = a.kvStride(), C = a.outWidth(), n = p.lengths()[b];
        float scale = (float) (1.0 / Math.sqrt(D));
        int pk = b * p.time() * ks + g * D;
        for (int r : rowsOf[b]) {
            int own = r * T * ks + g * D;
            for (int h = g * group; h < (g + 1) * group; h++) {
                int rh = r * H + h, qBase = r * T * qs + h * D;
                for (int t = 0; t < T; t++) {
                    int q = qBase + t * qs, go = dOff + (r * T + t) * C + h * D, o = outOff + (r * T + t) * C + h * D;
                    float delta = dot(vector, dout, go, out, o, D), lseT = lse[lseOff + rh * T + t];
                    for (int j = 0; j < n + t + 1; j++) {
                        boolean shared = j < n;
                        Qkv src = shared ? prefix : in, dst = shared ? prefixGrad : grad;
                        int row = shared ? pk + j * ks : own + (j - n) * ks;
                        float s = dot(vector, in.q(), in.qOff() + q, src.k(), src.kOff() + row, D) * scale;
                        float prob = Exp.exp(s - lseT);
                        float dp = dot(vector, dout, go, src.v(), src.vOff() + row, D);
                        float ds = prob * (dp - delta) * scale;
                        axpy(vector, prob, dout, go, dst.v(), dst.vOff() + row, D);
                        axpy(vector, ds, src.k(), src.kOff() + row, grad.q(), grad.qOff() + q, D);
                        axpy(vector, ds, in.q(), in.qOff() + q, dst.k(), dst.kOff() + row, D);
                    }
                }
            }
        }
    }

    private static float dot(boolean vector, float[] a, int aOff, float[] b, int bOff, int n) {
        if (vector) return VectorDot.of(a, aOff, b, bOff, n);
        float s = 0f;
        for (int i = 0; i < n; i++) s += a[aOff + i] * b[bOff + i];
        return s;
    }

    /** y += alpha · x over n floats. */
    private static void axpy(boolean vector, float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        if (vector) Vec.axpy(alpha, x, xOff, y, yOff, n);
        else for (int i = 0; i < n; i++) y[yOff + i] += alpha * x[xOff + i];
    }

    static final class Vec {
        static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

        private Vec() {}

        static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
            FloatVector a = FloatVector.broadcast(S, alpha);
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += S.length()) {
                FloatVector.fromArray(S, x, xOff + i).fma(a, FloatVector.fromArray(S, y, yOff + i)).intoArray(y, yOff + i);
            }
            for (; i < n; i++) y[yOff + i] += alpha * x[xOff + i];
        }
    }
}
