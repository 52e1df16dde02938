package io.cpo4j.model.lm;

import io.cpo4j.engine.kernels.DecodeAttentionKernel;
import io.cpo4j.engine.kernels.Parallel;

/**
 * Attention of decoding rows over their sequences' KV caches: each row's key and value are stored
 * at its position, then each query head attends over its sequence's cache up to and including that
 * position. Query head h reads K/V head h / (H/KV) where it lies in the cache (no copy per head).
 */
public final class CachedAttention {

    private CachedAttention() {}

    /**
     * q, k and v are row-major with their own offsets and row strides (one fused q|k|v array works
     * too); returns the heads' outputs side by side, (R, H·D).
     */
    public static float[] attend(KvCache[] caches, DecodeRows rows, int layer, int heads, int kvHeads, int d,
                                 float[] q, int qOff, int qStride, float[] k, int kOff, int kStride, float[] v, int vOff, int vStride) {
        int n = rows.count(), kvWidth = kvHeads * d, qWidth = heads * d, group = heads / kvHeads;
        int[] seq = rows.sequence(), pos = rows.position();
        for (int r = 0; r < n; r++) {
            KvCache cache = caches[seq[r]];
            System.arraycopy(k, kOff + r * kStride, cache.keys(layer), pos[r] * kvWidth, kvWidth);
            System.arraycopy(v, vOff + r * vStride, cache.values(layer), pos[r] * kvWidth, kvWidth);
        }
        float[] out = new float[n * qWidth];
        int longest = 0;
        for (int p : pos) longest = Math.max(longest, p + 1);
        int scoresLength = longest;
        Parallel.forRange(n * heads, 1, (from, to) -> {
            float[] scores = new float[scoresLength];
            for (int task = from; task < to; task++) {
                int r = task / heads, h = task % heads;
                KvCache cache = caches[seq[r]];
                DecodeAttentionKernel.attend(q, qOff + r * qStride + h * d, cache.keys(layer), cache.values(layer), 0, kvWidth, (h / group) * d,
                        pos[r] + 1, d, out, r * qWidth + h * d, scores);
            }
        });
        return out;
    }
}
