package io.cpo4j.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * Causal multi-head self-attention tiled with an online softmax (FlashAttention, Dao et al. 2022),
 * with grouped queries: query head h reads KV head h / (H/KV) in place, no copy per query head
 * ({@link AttentionHeads} gives the layout; GPT-2's fused {@code qkv} (B, T, 3C) is the case
 * KV = H with strides 3C). Output (B, T, H·D), scores scaled by 1/√D. No T×T matrix is ever
 * stored: the forward keeps one log-sum-exp per query (B, H, T), and the backward recomputes the
 * probabilities a tile at a time from it, so memory grows with T, not T².
 *
 * <p>The forward is split over (batch, query head) pairs, each writing only its own columns. The
 * backward is split over (batch, KV head) pairs: one thread walks the group's query heads in
 * order, adding each one's share to the shared dK and dV. Every value is computed by one thread
 * in one order: results are bit-identical for any thread count.
 */
public final class FlashAttentionKernel {

    /** Keys per chunk between two rescalings of the running output; a multiple of every micro-tile height. */
    static final int KEY_CHUNK = 96;

    private FlashAttentionKernel() {}

    /** GPT-2's layout: out (B, T, C) = attention over qkv (B, T, 3C) with NH heads; lse (B, NH, T) may be null. */
    public static void forward(float[] qkv, int qkvOff, float[] out, int outOff, float[] lse, int lseOff,
                               int B, int T, int C, int NH) {
        forward(Qkv.packed(qkv, qkvOff, C), out, outOff, lse, lseOff, AttentionHeads.packed(B, T, C, NH));
    }

    /**
     * out (B, T, H·D) = attention over {@code in}; lse (B, H, T) = log Σ_keys exp(score) per query (may be null).
     * One task per (batch, head), or, when those are fewer than {@link #TASKS_PER_THREAD} per
     * thread, per (batch, head, range of queries) (see {@link #queryParts}): a query block's
     * output does not depend on the other blocks, so the bits do not depend on the split.
     */
    public static void forward(Qkv in, float[] out, int outOff, float[] lse, int lseOff, AttentionHeads a) {
        int heads = a.batch() * a.heads(), T = a.time();
        int parts = Simd.ENABLED ? queryParts(heads, T, Parallel.threads()) : 1;
        Parallel.forEachTask(heads * parts, i -> {
            int bh = apart(i / parts, a.batch(), a.heads()), part = i % parts;
            if (Simd.ENABLED) Vec.forwardQueries(in, out, outOff, lse, lseOff, bh, partStart(part, parts, T), partStart(part + 1, parts, T), a);
            else forwardHeadScalar(in, out, outOff, lse, lseOff, bh, a);
        });
    }

    /** Forward tasks wanted per thread: enough that a core running slower takes fewer. */
    static final int TASKS_PER_THREAD = 4;

    /**
     * Ranges each head's queries are cut into for the forward: 1 when (batch, head) pairs give
     * {@link #TASKS_PER_THREAD} tasks per thread, else enough ranges for that, at most one per
     * query block.
     */
    static int queryParts(int heads, int T, int threads) {
        int wanted = TASKS_PER_THREAD * threads, blocks = (T + Gemm.Vec.NR - 1) / Gemm.Vec.NR;
        return heads >= wanted ? 1 : Math.max(1, Math.min(blocks, (wanted + heads - 1) / heads));
    }

    /**
     * First query of range {@code part} of {@code parts} (T for part = parts): query blocks are
     * whole, and the ranges split the causal work (query t sees t + 1 keys, so queries [0, t)
     * cost about t²) evenly: range i starts near T·√(i / parts).
     */
    static int partStart(int part, int parts, int T) {
        if (part >= parts) return T;
        int nr = Gemm.Vec.NR;
        return Math.min(T, (int) Math.round(T * Math.sqrt((double) part / parts) / nr) * nr);
    }

    /** Scalar twin: the same online softmax over the same key chunks, one query and one value at a time. */
    public static void forwardHeadScalar(Qkv in, float[] out, int outOff, float[] lse, int lseOff, int bh, AttentionHeads a) {
        int T = a.time(), D = a.headDim(), H = a.heads(), b = bh / H, h = bh % H, g = h / a.group();
        int qs = a.qStride(), ks = a.kvStride(), C = a.outWidth();
        float[] qa = in.q(), ka = in.k(), va = in.v();
        float scale = (float) (1.0 / Math.sqrt(D));
        int qBase = in.qOff() + b * T * qs + h * D, kBase = in.kOff() + b * T * ks + g * D, vBase = in.vOff() + b * T * ks + g * D;
        float[] o = new float[D], s = new float[KEY_CHUNK];
        for (int t = 0; t < T; t++) {
            int q = qBase + t * qs;
            float m = Float.NEGATIVE_INFINITY, l = 0f;
            Arrays.fill(o, 0f);
            for (int k0 = 0; k0 <= t; k0 += KEY_CHUNK) {
                int kLen = Math.min(KEY_CHUNK, t + 1 - k0);
                float chunkMax = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < kLen; j++) {
                    int k = kBase + (k0 + j) * ks;
                    float dot = 0f;
                    for (int d = 0; d < D; d++) dot += ka[k + d] * qa[q + d];
                    s[j] = dot * scale;
                    chunkMax = Math.max(chunkMax, s[j]);
                }
                float mNew = Math.max(m, chunkMax), alpha = Exp.exp(m - mNew);
                l *= alpha;
                for (int d = 0; d < D; d++) o[d] *= alpha;
                for (int j = 0; j < kLen; j++) {
                    float p = Exp.exp(s[j] - mNew);
                    l += p;
                    int v = vBase + (k0 + j) * ks;
                    for (int d = 0; d < D; d++) o[d] += p * va[v + d];
                }
                m = mNew;
            }
            float inv = 1f / l;
            int dst = outOff + (b * T + t) * C + h * D;
            for (int d = 0; d < D; d++) out[dst + d] = o[d] * inv;
            if (lse != null) lse[lseOff + bh * T + t] = m + (float) Math.log(l);
        }
    }

    /** GPT-2's layout: dqkv (B, T, 3C) += the gradient of the attention output {@code dout} (B, T, C). */
    public static void backward(float[] dout, int dOff, float[] qkv, int qkvOff, float[] out, int outOff,
                                float[] lse, int lseOff, float[] dqkv, int dqOff, int B, int T, int C, int NH) {
        backward(dout, dOff, Qkv.packed(qkv, qkvOff, C), out, outOff, lse, lseOff, Qkv.packed(dqkv, dqOff, C),
                AttentionHeads.packed(B, T, C, NH));
    }

    /**
     * grad (dq, dk, dv, laid out as {@code in}) += the gradient of the attention output
     * {@code dout} (B, T, H·D), from the forward's output {@code out} and log-sum-exps {@code lse}.
     */
    public static void backward(float[] dout, int dOff, Qkv in, float[] out, int outOff, float[] lse, int lseOff,
                                Qkv grad, AttentionHeads a) {
        Parallel.forEachTask(a.batch() * a.kvHeads(), i -> {
            int bg = apart(i, a.batch(), a.kvHeads());
            if (Simd.ENABLED) Vec.backwardGroup(dout, dOff, in, out, outOff, lse, lseOff, grad, bg, a);
            else backwardGroupScalar(dout, dOff, in, out, outOff, lse, lseOff, grad, bg, a);
        });
    }

    /**
     * The (batch, head) pair {@code b·heads + h} that task {@code i} computes, in an order that keeps
     * tasks claimed one after the other off each other's cache lines: a head's slice of a row (64
     * floats at GPT-2's width) shares a cache line with the next head's, and two workers writing
     * neighbouring slices (every dK and dV row once per query block in the backward) would pass
     * those lines back and forth. So consecutive tasks take different batch items, or, with one
     * item, heads two apart (0, 2, 4, …, then 1, 3, 5, …).
     */
    static int apart(int i, int batch, int heads) {
        if (batch > 1) return i % batch * heads + i / batch;
        int evens = (heads + 1) / 2;
        return i < evens ? 2 * i : 2 * (i - evens) + 1;
    }

    /** Scalar twin of one (batch, KV head) pair's backward: its query heads in order. */
    public static void backwardGroupScalar(float[] dout, int dOff, Qkv in, float[] out, int outOff, float[] lse, int lseOff,
                                           Qkv grad, int bg, AttentionHeads a) {
        int b = bg / a.kvHeads(), g = bg % a.kvHeads(), group = a.group();
        for (int h = g * group; h < (g + 1) * group; h++) {
            backwardHeadScalar(dout, dOff, in, out, outOff, lse, lseOff, grad, b * a.heads() + h, a);
        }
    }

    /**
     * One query head's backward (FlashAttention-2's recurrences, one pair at a time): with
     * p = exp(s − lse) recomputed from the scores and δ_t = ⟨dout_t, out_t⟩,
     * dv_j += p·dout_t, ds = p·(⟨dout_t, v_j⟩ − δ_t)/√D, dq_t += ds·k_j, dk_j += ds·q_t.
     * Query heads of one group add to the same dk and dv: never run two of them at once.
     */
    static void backwardHeadScalar(float[] dout, int dOff, Qkv in, float[] out, int outOff, float[] lse, int lseOff,
                                   Qkv grad, int bh, AttentionHeads a) {
        int T = a.time(), D = a.headDim(), H = a.heads(), b = bh / H, h = bh % H, g = h / a.group();
        int qs = a.qStride(), ks = a.kvStride(), C = a.outWidth();
        float[] qa = in.q(), ka = in.k(), va = in.v(), dqa = grad.q(), dka = grad.k(), dva = grad.v();
        float scale = (float) (1.0 / Math.sqrt(D));
        int qBase = in.qOff() + b * T * qs + h * D, kBase = in.kOff() + b * T * ks + g * D, vBase = in.vOff() + b * T * ks + g * D;
        int dqBase = grad.qOff() + b * T * qs + h * D, dkBase = grad.kOff() + b * T * ks + g * D, dvBase = grad.vOff() + b * T * ks + g * D;
        for (int t = 0; t < T; t++) {
            int q = qBase + t * qs, go = dOff + (b * T + t) * C + h * D, o = outOff + (b * T + t) * C + h * D;
            float delta = 0f;
            for (int d = 0; d < D; d++) delta += dout[go + d] * out[o + d];
            float lseT = lse[lseOff + bh * T + t];
            for (int j = 0; j <= t; j++) {
                int k = kBase + j * ks, v = vBase + j * ks;
                float dot = 0f, dp = 0f;
                for (int d = 0; d < D; d++) {
                    dot += ka[k + d] * qa[q + d];
                    dp += dout[go + d] * va[v + d];
                }
                float p = Exp.exp(dot * scale - lseT);
                float ds = p * (dp - delta) * scale;
                int dq = dqBase + t * qs, dk = dkBase + j * ks, dv = dvBase + j * ks;
                for (int d = 0; d < D; d++) {
                    dva[dv + d] += p * dout[go + d];
                    dqa[dq + d] += ds * ka[k + d];
                    dka[dk + d] += ds * qa[q + d];
                }
            }
        }
    }

    static final class Vec {
        static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
        static final int L = S.length();
        private static final int SLOT_K = ThreadScratch.ATTENTION_FIRST, SLOT_VT = SLOT_K + 1, SLOT_QT = SLOT_K + 2,
                SLOT_S = SLOT_K + 3, SLOT_OT = SLOT_K + 4, SLOT_TILE = SLOT_K + 5, SLOT_STATS = SLOT_K + 6,
                SLOT_V = SLOT_K + 7, SLOT_DOT = SLOT_K + 8, SLOT_QB = SLOT_K + 9, SLOT_DOB = SLOT_K + 10,
                SLOT_DP = SLOT_K + 11, SLOT_PA = SLOT_K + 12;

        private Vec() {}

        /*
         * Scores are computed transposed, Sᵀ = K·Qᵀ, as (MR keys × NR queries) tiles of the GEMM
         * micro-kernel. Then the softmax statistics of NR queries are plain vectors (max and sum run
         * down the rows, no horizontal reductions), and a chunk of probability tiles is, as laid
         * out, the packed B operand of the next product Oᵀ += Vᵀ·Pᵀ.
         */
        static void forwardHead(Qkv in, float[] out, int outOff, float[] lse, int lseOff, int bh, AttentionHeads a) {
            forwardQueries(in, out, outOff, lse, lseOff, bh, 0, a.time(), a);
        }

        /** Queries [from, to) of one (batch, head) pair; {@code from} is a multiple of NR. */
        static void forwardQueries(Qkv in, float[] out, int outOff, float[] lse, int lseOff, int bh, int from, int to, AttentionHeads a) {
            if (from >= to) return;
            int T = a.time(), D = a.headDim(), H = a.heads(), b = bh / H, h = bh % H, g = h / a.group();
            int qs = a.qStride(), ks = a.kvStride(), C = a.outWidth(), mr = Gemm.Vec.MR, nr = Gemm.Vec.NR;
            int qBase = in.qOff() + b * T * qs + h * D, kBase = in.kOff() + b * T * ks + g * D, vBase = in.vOff() + b * T * ks + g * D;
            int dRows = (D + mr - 1) / mr * mr, keys = to;                            // the last query sees keys [0, to)
            float[] kPanels = ThreadScratch.get(SLOT_K, (keys + mr - 1) / mr * mr * D);  // K as A panels: keys × D
            float[] vtPanels = ThreadScratch.get(SLOT_VT, dRows * keys);                // Vᵀ as A panels: D × keys
            GemmPacking.packA(false, in.k(), kBase, ks, 0, keys, 0, D, mr, kPanels);
            GemmPacking.packA(true, in.v(), vBase, ks, 0, D, 0, keys, mr, vtPanels);
            float[] qt = ThreadScratch.get(SLOT_QT, D * nr);                             // Qᵀ block: D × NR queries
            float[] p = ThreadScratch.get(SLOT_S, KEY_CHUNK * nr);                        // Sᵀ, then Pᵀ: keys × NR queries
            float[] ot = ThreadScratch.get(SLOT_OT, dRows * nr);                         // Oᵀ: D × NR queries
            float[] tile = ThreadScratch.get(SLOT_TILE, mr * nr);
            float[] stats = ThreadScratch.get(SLOT_STATS, 3 * nr);                       // running max, sum, rescale
            float scale = (float) (1.0 / Math.sqrt(D));
            for (int q0 = from; q0 < to; q0 += nr) {
                int nq = Math.min(nr, to - q0);
                GemmPacking.packB(true, in.q(), qBase, qs, q0, q0 + nq, 0, D, nr, qt, 0, 1);
                queryBlock(q0, nq, keys, D, scale, kPanels, vtPanels, qt, p, ot, tile, stats);
                int dst = outOff + (b * T + q0) * C + h * D;
                for (int j = 0; j < nq; j++) {
                    float inv = 1f / stats[nr + j];
                    for (int d = 0; d < D; d++) out[dst + j * C + d] = ot[d * nr + j] * inv;
                    if (lse != null) lse[lseOff + bh * T + q0 + j] = stats[j] + (float) Math.log(stats[nr + j]);
                }
            }
        }

        /** Oᵀ (unnormalised), running max and sum for queries [q0, q0+nq) over keys [0, q0+nq); Vᵀ packed T keys deep. */
        private static void queryBlock(int q0, int nq, int T, int D, float scale, float[] kPanels, float[] vtPanels,
                                       float[] qt, float[] p, float[] ot, float[] tile, float[] stats) {
            int mr = Gemm.Vec.MR, nr = Gemm.Vec.NR, dPanels = (D + mr - 1) / mr;
            Arrays.fill(ot, 0, dPanels * mr * nr, 0f);
            Arrays.fill(stats, 0, nr, Float.NEGATIVE_INFINITY);
            Arrays.fill(stats, nr, 2 * nr, 0f);
            int kEnd = q0 + nq;
            for (int k0 = 0; k0 < kEnd; k0 += KEY_CHUNK) {
                int kLen = Math.min(KEY_CHUNK, kEnd - k0);
                for (int r0 = 0; r0 < kLen; r0 += mr) {
                    Gemm.Vec.kernel(D, kPanels, (k0 + r0) * D, qt, 0, p, r0 * nr, nr, false);
                }
                softmaxChunk(p, kLen, k0, q0, scale, stats);
                rescale(ot, dPanels * mr, stats);
                for (int dp = 0; dp < dPanels; dp++) {
                    Gemm.Vec.kernel(kLen, vtPanels, dp * mr * T + k0 * mr, p, 0, tile, 0, nr, false);
                    addTile(tile, ot, dp * mr * nr, mr * nr);
                }
            }
        }

        /**
         * Turns a chunk of scores Sᵀ (keys k0.. × NR queries) into probabilities exp(s − m) in place,
         * updating each query's running max m and sum l, and leaving the factor exp(m_old − m_new)
         * that the output so far must be scaled by. Keys after a query are masked out.
         */
        private static void softmaxChunk(float[] p, int kLen, int k0, int q0, float scale, float[] stats) {
            int nr = Gemm.Vec.NR;
            FloatVector max0 = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            FloatVector max1 = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            for (int r = 0; r < kLen; r++) {
                int o = r * nr;
                FloatVector s0 = FloatVector.fromArray(S, p, o).mul(scale), s1 = FloatVector.fromArray(S, p, o + L).mul(scale);
                s0.intoArray(p, o);
                s1.intoArray(p, o + L);
                int masked = Math.min(nr, k0 + r - q0);        // queries q0 + j < key see nothing of it
                if (masked > 0) {
                    Arrays.fill(p, o, o + masked, Float.NEGATIVE_INFINITY);
                    s0 = FloatVector.fromArray(S, p, o);
                    s1 = FloatVector.fromArray(S, p, o + L);
                }
                max0 = VectorMax.of(max0, s0);
                max1 = VectorMax.of(max1, s1);
            }
            FloatVector m0 = FloatVector.fromArray(S, stats, 0), m1 = FloatVector.fromArray(S, stats, L);
            FloatVector n0 = VectorMax.of(m0, max0), n1 = VectorMax.of(m1, max1);
            FloatVector sum0 = FloatVector.zero(S), sum1 = FloatVector.zero(S);
            for (int r = 0; r < kLen; r++) {
                int o = r * nr;
                FloatVector e0 = Exp.Vec.expShifted(FloatVector.fromArray(S, p, o).sub(n0));
                FloatVector e1 = Exp.Vec.expShifted(FloatVector.fromArray(S, p, o + L).sub(n1));
                e0.intoArray(p, o);
                e1.intoArray(p, o + L);
                sum0 = sum0.add(e0);
                sum1 = sum1.add(e1);
            }
            FloatVector a0 = Exp.Vec.expShifted(m0.sub(n0)), a1 = Exp.Vec.expShifted(m1.sub(n1));
            n0.intoArray(stats, 0);
            n1.intoArray(stats, L);
            FloatVector.fromArray(S, stats, nr).fma(a0, sum0).intoArray(stats, nr);
            FloatVector.fromArray(S, stats, nr + L).fma(a1, sum1).intoArray(stats, nr + L);
            a0.intoArray(stats, 2 * nr);
            a1.intoArray(stats, 2 * nr + L);
        }


        /*
         * The backward walks the same query blocks and key chunks, with every product a
         * micro-kernel call on packed operands:
         *   Sᵀ = K·Qᵀ and dPᵀ = V·dOᵀ       (MR keys × NR queries tiles, depth D)
         *   Pᵀ = exp(Sᵀ − lse), dSᵀ = Pᵀ ⊙ (dPᵀ − δ)/√D     (vectors over queries)
         *   dQᵀ += Kᵀ·dSᵀ                    (depth: the chunk's keys; dSᵀ as laid out is B)
         *   dK += dSᵀ·Q, dV += Pᵀ·dO          (depth: the block's queries; MR-key rows, so each
         *                                    tile is first transposed into an A panel)
         * K, V and Kᵀ are packed once per (batch, KV head) and serve each query head of the group.
         */
        static void backwardGroup(float[] dout, int dOff, Qkv in, float[] out, int outOff, float[] lse, int lseOff,
                                  Qkv grad, int bg, AttentionHeads a) {
            int T = a.time(), D = a.headDim(), b = bg / a.kvHeads(), g = bg % a.kvHeads(), group = a.group();
            int ks = a.kvStride(), mr = Gemm.Vec.MR, nr = Gemm.Vec.NR;
            int kBase = in.kOff() + b * T * ks + g * D, vBase = in.vOff() + b * T * ks + g * D;
            int keyRows = (T + mr - 1) / mr * mr, dRows = (D + mr - 1) / mr * mr, dCols = (D + nr - 1) / nr * nr;
            float[] kPanels = ThreadScratch.get(SLOT_K, keyRows * D);       // K as A panels: keys × D
            float[] vPanels = ThreadScratch.get(SLOT_V, keyRows * D);       // V as A panels: keys × D
            float[] ktPanels = ThreadScratch.get(SLOT_VT, dRows * T);       // Kᵀ as A panels: D × keys
            GemmPacking.packA(false, in.k(), kBase, ks, 0, T, 0, D, mr, kPanels);
            GemmPacking.packA(false, in.v(), vBase, ks, 0, T, 0, D, mr, vPanels);
            GemmPacking.packA(true, in.k(), kBase, ks, 0, D, 0, T, mr, ktPanels);
            float[] qt = ThreadScratch.get(SLOT_QT, D * nr), dot = ThreadScratch.get(SLOT_DOT, D * nr);
            float[] qB = ThreadScratch.get(SLOT_QB, nr * dCols), doB = ThreadScratch.get(SLOT_DOB, nr * dCols);
            float[] p = ThreadScratch.get(SLOT_S, KEY_CHUNK * nr), ds = ThreadScratch.get(SLOT_DP, KEY_CHUNK * nr);
            float[] dqt = ThreadScratch.get(SLOT_OT, dRows * nr), pa = ThreadScratch.get(SLOT_PA, 2 * nr * mr);
            float[] tile = ThreadScratch.get(SLOT_TILE, mr * nr), stats = ThreadScratch.get(SLOT_STATS, 2 * nr);
            Blocks blocks = new Blocks(kPanels, vPanels, ktPanels, qt, dot, qB, doB, p, ds, dqt, pa, tile, stats);
            for (int h = g * group; h < (g + 1) * group; h++) {
                backwardHead(dout, dOff, in, out, outOff, lse, lseOff, grad, b * a.heads() + h, a, blocks);
            }
        }

        /** One query head's share, on its group's packed K, V and Kᵀ. */
        private static void backwardHead(float[] dout, int dOff, Qkv in, float[] out, int outOff, float[] lse, int lseOff,
                                         Qkv grad, int bh, AttentionHeads a, Blocks w) {
            int T = a.time(), D = a.headDim(), H = a.heads(), b = bh / H, h = bh % H, g = h / a.group();
            int qs = a.qStride(), ks = a.kvStride(), C = a.outWidth(), nr = Gemm.Vec.NR, dCols = (D + nr - 1) / nr * nr;
            int qBase = in.qOff() + b * T * qs + h * D, gBase = dOff + b * T * C + h * D, oBase = outOff + b * T * C + h * D;
            int dqBase = grad.qOff() + b * T * qs + h * D;
            int dkBase = grad.kOff() + b * T * ks + g * D, dvBase = grad.vOff() + b * T * ks + g * D;
            float[] dq = grad.q(), stats = w.stats(), dqt = w.dqt();
            float scale = (float) (1.0 / Math.sqrt(D));
            for (int q0 = 0; q0 < T; q0 += nr) {
                int nq = Math.min(nr, T - q0);
                GemmPacking.packB(true, in.q(), qBase, qs, q0, q0 + nq, 0, D, nr, w.qt(), 0, 1);
                GemmPacking.packB(true, dout, gBase, C, q0, q0 + nq, 0, D, nr, w.dot(), 0, 1);
                GemmPacking.packB(false, in.q(), qBase, qs, 0, D, q0, nq, nr, w.qB(), 0, dCols / nr);
                GemmPacking.packB(false, dout, gBase, C, 0, D, q0, nq, nr, w.doB(), 0, dCols / nr);
                Arrays.fill(stats, 0, 2 * nr, 0f);
                for (int j = 0; j < nq; j++) {
                    stats[j] = lse[lseOff + bh * T + q0 + j];
                    stats[nr + j] = VectorDot.of(dout, gBase + (q0 + j) * C, out, oBase + (q0 + j) * C, D);
                }
                queryBlockBackward(q0, nq, T, D, scale, w, grad.k(), dkBase, grad.v(), dvBase, ks);
                for (int j = 0; j < nq; j++) {
                    int dqRow = dqBase + (q0 + j) * qs;
                    for (int d = 0; d < D; d++) dq[dqRow + d] += dqt[d * nr + j];
                }
            }
        }

        /** The packed operands and work arrays of one group's backward. */
        private record Blocks(float[] kPanels, float[] vPanels, float[] ktPanels, float[] qt, float[] dot,
                              float[] qB, float[] doB, float[] p, float[] ds, float[] dqt, float[] pa, float[] tile,
                              float[] stats) {}

        private static void queryBlockBackward(int q0, int nq, int T, int D, float scale, Blocks w,
                                               float[] dk, int dkBase, float[] dv, int dvBase, int ks) {
            int mr = Gemm.Vec.MR, nr = Gemm.Vec.NR, dPanels = (D + mr - 1) / mr, dColPanels = (D + nr - 1) / nr;
            Arrays.fill(w.dqt(), 0, dPanels * mr * nr, 0f);
            int kEnd = q0 + nq;
            for (int k0 = 0; k0 < kEnd; k0 += KEY_CHUNK) {
                int kLen = Math.min(KEY_CHUNK, kEnd - k0);
                for (int r0 = 0; r0 < kLen; r0 += mr) {
                    Gemm.Vec.kernel(D, w.kPanels(), (k0 + r0) * D, w.qt(), 0, w.p(), r0 * nr, nr, false);
                    Gemm.Vec.kernel(D, w.vPanels(), (k0 + r0) * D, w.dot(), 0, w.ds(), r0 * nr, nr, false);
                }
                probabilitiesAndScoreGradients(w.p(), w.ds(), kLen, k0, q0, scale, w.stats());
                for (int dp = 0; dp < dPanels; dp++) {
                    Gemm.Vec.kernel(kLen, w.ktPanels(), dp * mr * T + k0 * mr, w.ds(), 0, w.tile(), 0, nr, false);
                    addTile(w.tile(), w.dqt(), dp * mr * nr, mr * nr);
                }
                for (int r0 = 0; r0 < kLen; r0 += mr) {
                    int live = Math.min(mr, kLen - r0), key = k0 + r0;
                    float[] pa = w.pa();
                    transposeToPanel(w.ds(), r0, live, nq, pa, 0);
                    transposeToPanel(w.p(), r0, live, nq, pa, nr * mr);
                    int rows = Math.min(mr, T - key);
                    for (int cp = 0; cp < dColPanels; cp++) {
                        int cols = Math.min(nr, D - cp * nr), col = cp * nr;
                        Gemm.Vec.kernel(nq, pa, 0, w.qB(), cp * nr * nq, w.tile(), 0, nr, false);
                        Gemm.Vec.merge(w.tile(), rows, cols, dk, dkBase + key * ks + col, ks, true);
                        Gemm.Vec.kernel(nq, pa, nr * mr, w.doB(), cp * nr * nq, w.tile(), 0, nr, false);
                        Gemm.Vec.merge(w.tile(), rows, cols, dv, dvBase + key * ks + col, ks, true);
                    }
                }
            }
        }

        /**
         * In place, for a chunk of keys: Sᵀ → Pᵀ = exp(s/√D − lse) (0 where masked) and
         * dPᵀ → dSᵀ = Pᵀ ⊙ (dPᵀ − δ)/√D. stats holds lse and δ of the block's queries.
         */
        private static void probabilitiesAndScoreGradients(float[] p, float[] ds, int kLen, int k0, int q0, float scale, float[] stats) {
            int nr = Gemm.Vec.NR;
            FloatVector lse0 = FloatVector.fromArray(S, stats, 0), lse1 = FloatVector.fromArray(S, stats, L);
            FloatVector dl0 = FloatVector.fromArray(S, stats, nr), dl1 = FloatVector.fromArray(S, stats, nr + L);
            for (int r = 0; r < kLen; r++) {
                int o = r * nr;
                FloatVector p0 = Exp.Vec.expShifted(FloatVector.fromArray(S, p, o).mul(scale).sub(lse0));
                FloatVector p1 = Exp.Vec.expShifted(FloatVector.fromArray(S, p, o + L).mul(scale).sub(lse1));
                p0.intoArray(p, o);
                p1.intoArray(p, o + L);
                int masked = Math.min(nr, k0 + r - q0);
                if (masked > 0) Arrays.fill(p, o, o + masked, 0f);
                p0 = FloatVector.fromArray(S, p, o);
                p1 = FloatVector.fromArray(S, p, o + L);
                p0.mul(FloatVector.fromArray(S, ds, o).sub(dl0)).mul(scale).intoArray(ds, o);
                p1.mul(FloatVector.fromArray(S, ds, o + L).sub(dl1)).mul(scale).intoArray(ds, o + L);
            }
        }

        /**
         * Rows [r0, r0+live) of a (keys × NR queries) chunk, first {@code depth} queries, as one A
         * panel (depth-major, MR keys per depth); rows past {@code live} are zero.
         */
        private static void transposeToPanel(float[] src, int r0, int live, int depth, float[] dst, int dstOff) {
            int mr = Gemm.Vec.MR, nr = Gemm.Vec.NR;
            for (int r = 0; r < mr; r++) {
                int s = (r0 + r) * nr;
                if (r < live) {
                    for (int q = 0; q < depth; q++) dst[dstOff + q * mr + r] = src[s + q];
                } else {
                    for (int q = 0; q < depth; q++) dst[dstOff + q * mr + r] = 0f;
                }
            }
        }

        /** Every row of Oᵀ (rows × NR queries) times each query's rescale factor. */
        private static void rescale(float[] ot, int rows, float[] stats) {
            int nr = Gemm.Vec.NR;
            FloatVector a0 = FloatVector.fromArray(S, stats, 2 * nr), a1 = FloatVector.fromArray(S, stats, 2 * nr + L);
            for (int r = 0; r < rows; r++) {
                int o = r * nr;
                FloatVector.fromArray(S, ot, o).mul(a0).intoArray(ot, o);
                FloatVector.fromArray(S, ot, o + L).mul(a1).intoArray(ot, o + L);
            }
        }

        /** dst[off..off+n) += tile[0..n); n a multiple of the vector length. */
        static void addTile(float[] tile, float[] dst, int off, int n) {
            for (int i = 0; i < n; i += L) {
                FloatVector.fromArray(S, tile, i).add(FloatVector.fromArray(S, dst, off + i)).intoArray(dst, off + i);
            }
        }
    }
}
