package io.cpo4j.engine.kernels;

/**
 * The arrays of an attention call's queries, keys and values (or of their gradients), each with
 * the offset of its first row's head 0; {@link AttentionHeads} gives the strides. q, k and v may
 * be one array, as GPT-2's fused projection.
 */
public record Qkv(float[] q, int qOff, float[] k, int kOff, float[] v, int vOff) {

    /** GPT-2's rows [q | k | v] of 3C floats from {@code off}. */
    public static Qkv packed(float[] qkv, int off, int channels) {
        return new Qkv(qkv, off, qkv, off + channels, qkv, off + 2 * channels);
    }
}
