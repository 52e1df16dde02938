package io.cpo4j.engine.kernels;

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
 * <p>Unlike {@link FlashAttentionKernel} it holds a (T, P + T) score matrix per (row, head) task
 * in scratch: meant for the continuation rows of scoring, where T and P are answer- and
 * prompt-sized. The vector path ({@link Vec}) forms the products with {@link Gemm}; the scalar
 * twin goes one query and one key at a time.
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
        Parallel.forEachTask(a.batch() * a.heads(), i -> {
            int rh = FlashAttentionKernel.apart(i, a.batch(), a.heads());      // neighbouring heads not at once
            if (Simd.ENABLED) Vec.forwardHead(in, prefix, p, out, outOff, lse, lseOff, rh, a);
            else forwardHeadScalar(in, prefix, p, out, outOff, lse, lseOff, rh, a);
        });
    }

    /**
     * grad (dq, dk, dv laid out as {@code in}) and prefixGrad (dk, dv laid out as {@code prefix})
     * += the gradient of the output {@code dout} (rows, T, H·D), from the forward's out and lse.
     */
    public static void backward(float[] dout, int dOff, Qkv in, Qkv prefix, Prefixes p, float[] out, int outOff,
                                float[] lse, int lseOff, Qkv grad, Qkv prefixGrad, AttentionHeads a) {
        check(p, a);
        int[][] rowsOf = p.rowsOf();
        Parallel.forEachTask(p.count() * a.kvHeads(), i -> {
            int bg = FlashAttentionKernel.apart(i, p.count(), a.kvHeads());    // neighbouring heads not at once
            if (Simd.ENABLED) Vec.backwardGroup(dout, dOff, in, prefix, p, rowsOf, out, outOff, lse, lseOff, grad, prefixGrad, bg, a);
            else backwardGroupScalar(dout, dOff, in, prefix, p, rowsOf, out, outOff, lse, lseOff, grad, prefixGrad, bg, a);
        });
    }

    private static void check(Prefixes p, AttentionHeads a) {
        if (p.prefixOf().length != a.batch()) {
            throw new IllegalArgumentException("prefix attention: " + p.prefixOf().length + " prefix indices for " + a.batch() + " rows");
        }
    }

    /** Scalar twin of one (row, query head) pair's forward: one query and one key at a time. */
    static void forwardHeadScalar(Qkv in, Qkv prefix, Prefixes p, float[] out, int outOff, float[] lse, int lseOff, int rh, AttentionHeads a) {
        int T = a.time(), D = a.headDim(), H = a.heads(), r = rh / H, h = rh % H, g = h / a.group();
        int qs = a.qStride(), ks = a.kvStride(), C = a.outWidth(), b = p.prefixOf()[r], n = p.lengths()[b];
        float scale = (float) (1.0 / Math.sqrt(D));
        int qBase = in.qOff() + r * T * qs + h * D, kBase = in.kOff() + r * T * ks + g * D, vBase = in.vOff() + r * T * ks + g * D;
        int pkBase = prefix.kOff() + b * p.time() * ks + g * D, pvBase = prefix.vOff() + b * p.time() * ks + g * D;
        float[] scores = new float[n + T];
        for (int t = 0; t < T; t++) {
            int q = qBase + t * qs, keys = n + t + 1;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < keys; j++) {
                float s = dot(in.q(), q, j < n ? prefix.k() : in.k(), j < n ? pkBase + j * ks : kBase + (j - n) * ks, D) * scale;
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
                axpy(scores[j], j < n ? prefix.v() : in.v(), j < n ? pvBase + j * ks : vBase + (j - n) * ks, out, dst, D);
            }
            float inv = 1f / sum;
            for (int d = 0; d < D; d++) out[dst + d] *= inv;
            if (lse != null) lse[lseOff + rh * T + t] = max + (float) Math.log(sum);
        }
    }

    /**
     * Scalar twin of one (prefix, KV head) pair's backward: the prefix's rows in order, each row's
     * query heads of the group in order, one query and one key at a time. With p = exp(s − lse)
     * and δ = ⟨dout, out⟩ per query: dv_j += p·dout, ds = p·(⟨dout, v_j⟩ − δ)/√D, dq += ds·k_j,
     * dk_j += ds·q, over the prefix's keys and the row's own.
     */
    static void backwardGroupScalar(float[] dout, int dOff, Qkv in, Qkv prefix, Prefixes p, int[][] rowsOf,
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
                    float delta = dot(dout, go, out, o, D), lseT = lse[lseOff + rh * T + t];
                    for (int j = 0; j < n + t + 1; j++) {
                        boolean shared = j < n;
                        Qkv src = shared ? prefix : in, dst = shared ? prefixGrad : grad;
                        int row = shared ? pk + j * ks : own + (j - n) * ks;
                        float s = dot(in.q(), in.qOff() + q, src.k(), src.kOff() + row, D) * scale;
                        float prob = Exp.exp(s - lseT);
                        float dp = dot(dout, go, src.v(), src.vOff() + row, D);
                        float ds = prob * (dp - delta) * scale;
                        axpy(prob, dout, go, dst.v(), dst.vOff() + row, D);
                        axpy(ds, src.k(), src.kOff() + row, grad.q(), grad.qOff() + q, D);
                        axpy(ds, in.q(), in.qOff() + q, dst.k(), dst.kOff() + row, D);
                    }
                }
            }
        }
    }

    private static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        float s = 0f;
        for (int i = 0; i < n; i++) s += a[aOff + i] * b[bOff + i];
        return s;
    }

    /** y += alpha · x over n floats. */
    private static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) y[yOff + i] += alpha * x[xOff + i];
    }

    /**
     * The vector path: per (row, head), the products over all queries at once with the engine's
     * GEMM (small products run on the calling thread): S = Q·[K_prefix ; K_own]ᵀ (T, n + T), a
     * masked softmax per query, O = P·[V_prefix ; V_own]; the backward recomputes P from the
     * log-sum-exps and forms dP = dO·Vᵀ, dS = P ⊙ (dP − δ)/√D, dQ += dS·K, dK += dSᵀ·Q,
     * dV += Pᵀ·dO, the prefix's and the row's own parts as separate products.
     */
    static final class Vec {

        static final int SLOT_P = ThreadScratch.PREFIX_ATTENTION_FIRST, SLOT_DS = ThreadScratch.PREFIX_ATTENTION_FIRST + 1;

        private Vec() {}

        static void forwardHead(Qkv in, Qkv prefix, Prefixes p, float[] out, int outOff, float[] lse, int lseOff, int rh, AttentionHeads a) {
            int T = a.time(), D = a.headDim(), H = a.heads(), r = rh / H, h = rh % H, g = h / a.group();
            int qs = a.qStride(), ks = a.kvStride(), C = a.outWidth(), b = p.prefixOf()[r], n = p.lengths()[b], w = n + T;
            int qBase = in.qOff() + r * T * qs + h * D, kBase = in.kOff() + r * T * ks + g * D, vBase = in.vOff() + r * T * ks + g * D;
            int pkBase = prefix.kOff() + b * p.time() * ks + g * D, pvBase = prefix.vOff() + b * p.time() * ks + g * D;
            float[] s = ThreadScratch.get(SLOT_P, T * w);                                   // (T, n + T)
            scores(in.q(), qBase, qs, prefix.k(), pkBase, in.k(), kBase, ks, n, T, D, s);
            float scale = (float) (1.0 / Math.sqrt(D));
            for (int t = 0; t < T; t++) {
                int row = t * w, keys = n + t + 1;
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < keys; j++) max = Math.max(max, s[row + j] *= scale);
                float sum = 0f;
                for (int j = 0; j < keys; j++) sum += s[row + j] = Exp.exp(s[row + j] - max);
                float inv = 1f / sum;
                for (int j = 0; j < keys; j++) s[row + j] *= inv;
                java.util.Arrays.fill(s, row + keys, row + w, 0f);
                if (lse != null) lse[lseOff + rh * T + t] = max + (float) Math.log(sum);
            }
            int dst = outOff + r * T * C + h * D;
            if (n > 0) Gemm.gemm(false, false, T, D, n, s, 0, w, prefix.v(), pvBase, ks, out, dst, C, false);
            Gemm.gemm(false, false, T, D, T, s, n, w, in.v(), vBase, ks, out, dst, C, n > 0);
        }

        /** s (T, n + T) = Q·K_prefixᵀ | Q·K_ownᵀ, unscaled. */
        private static void scores(float[] q, int qBase, int qs, float[] pk, int pkBase, float[] k, int kBase, int ks, int n, int T, int D, float[] s) {
            int w = n + T;
            if (n > 0) Gemm.gemm(false, true, T, n, D, q, qBase, qs, pk, pkBase, ks, s, 0, w, false);
            Gemm.gemm(false, true, T, T, D, q, qBase, qs, k, kBase, ks, s, n, w, false);
        }

        static void backwardGroup(float[] dout, int dOff, Qkv in, Qkv prefix, Prefixes p, int[][] rowsOf,
                                  float[] out, int outOff, float[] lse, int lseOff, Qkv grad, Qkv prefixGrad, int bg, AttentionHeads a) {
            int T = a.time(), D = a.headDim(), H = a.heads(), KV = a.kvHeads(), b = bg / KV, g = bg % KV, group = a.group();
            int qs = a.qStride(), ks = a.kvStride(), C = a.outWidth(), n = p.lengths()[b], w = n + T;
            float scale = (float) (1.0 / Math.sqrt(D));
            int pk = b * p.time() * ks + g * D;
            float[] prob = ThreadScratch.get(SLOT_P, T * w), ds = ThreadScratch.get(SLOT_DS, T * w);   // (T, n + T) each
            for (int r : rowsOf[b]) {
                int own = r * T * ks + g * D;
                for (int h = g * group; h < (g + 1) * group; h++) {
                    int rh = r * H + h, q = in.qOff() + r * T * qs + h * D, dq = grad.qOff() + r * T * qs + h * D;
                    int go = dOff + r * T * C + h * D, o = outOff + r * T * C + h * D;
                    scores(in.q(), q, qs, prefix.k(), prefix.kOff() + pk, in.k(), in.kOff() + own, ks, n, T, D, prob);
                    if (n > 0) Gemm.gemm(false, true, T, n, D, dout, go, C, prefix.v(), prefix.vOff() + pk, ks, ds, 0, w, false);
                    Gemm.gemm(false, true, T, T, D, dout, go, C, in.v(), in.vOff() + own, ks, ds, n, w, false);
                    for (int t = 0; t < T; t++) {
                        int row = t * w, keys = n + t + 1;
                        float lseT = lse[lseOff + rh * T + t], delta = VectorDot.of(dout, go + t * C, out, o + t * C, D);
                        for (int j = 0; j < keys; j++) {
                            float pj = Exp.exp(prob[row + j] * scale - lseT);
                            prob[row + j] = pj;
                            ds[row + j] = pj * (ds[row + j] - delta) * scale;
                        }
                        java.util.Arrays.fill(prob, row + keys, row + w, 0f);
                        java.util.Arrays.fill(ds, row + keys, row + w, 0f);
                    }
                    if (n > 0) {
                        Gemm.gemm(false, false, T, D, n, ds, 0, w, prefix.k(), prefix.kOff() + pk, ks, grad.q(), dq, qs, true);
                        Gemm.gemm(true, false, n, D, T, ds, 0, w, in.q(), q, qs, prefixGrad.k(), prefixGrad.kOff() + pk, ks, true);
                        Gemm.gemm(true, false, n, D, T, prob, 0, w, dout, go, C, prefixGrad.v(), prefixGrad.vOff() + pk, ks, true);
                    }
                    Gemm.gemm(false, false, T, D, T, ds, n, w, in.k(), in.kOff() + own, ks, grad.q(), dq, qs, true);
                    Gemm.gemm(true, false, T, D, T, ds, n, w, in.q(), q, qs, grad.k(), grad.kOff() + own, ks, true);
                    Gemm.gemm(true, false, T, D, T, prob, n, w, dout, go, C, grad.v(), grad.vOff() + own, ks, true);
                }
            }
        }
    }
}
