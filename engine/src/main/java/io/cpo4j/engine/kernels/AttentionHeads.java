package io.cpo4j.engine.kernels;

/**
 * The shape of one causal attention call and where its rows lie: queries (B, T, ·) in rows of
 * {@code qStride} floats with query head h in columns [h·D, (h+1)·D); keys and values in rows of
 * {@code kvStride} floats with KV head g in columns [g·D, (g+1)·D); output (B, T, H·D). Query head
 * h reads KV head h / (H/KV): consecutive query heads share one, as HF's {@code repeat_kv}.
 */
public record AttentionHeads(int batch, int time, int heads, int kvHeads, int headDim, int qStride, int kvStride) {

    public AttentionHeads {
        if (batch < 0 || time < 0 || heads <= 0 || kvHeads <= 0 || headDim <= 0 || heads % kvHeads != 0) {
            throw new IllegalArgumentException("attention heads: needs B, T ≥ 0, D > 0 and " + heads
                    + " query heads divisible by " + kvHeads + " KV heads, got B " + batch + ", T " + time + ", D " + headDim);
        }
        if (qStride < heads * headDim || kvStride < kvHeads * headDim) {
            throw new IllegalArgumentException("attention heads: rows of " + qStride + " (queries) and " + kvStride
                    + " (keys, values) floats cannot hold " + heads + " and " + kvHeads + " heads of " + headDim);
        }
    }

    /** GPT-2's fused projection: rows [q | k | v] of 3C floats, NH heads each for q, k and v. */
    public static AttentionHeads packed(int batch, int time, int channels, int heads) {
        return new AttentionHeads(batch, time, heads, heads, channels / heads, 3 * channels, 3 * channels);
    }

    /** Separate q (B, T, H·D), k and v (B, T, KV·D), rows packed tight. */
    public static AttentionHeads separate(int batch, int time, int heads, int kvHeads, int headDim) {
        return new AttentionHeads(batch, time, heads, kvHeads, headDim, heads * headDim, kvHeads * headDim);
    }

    /** Query heads per KV head. */
    public int group() {
        return heads / kvHeads;
    }

    /** Width of an output row: H·D. */
    public int outWidth() {
        return heads * headDim;
    }
}
