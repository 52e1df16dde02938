package io.cpo4j.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Attention of one query against a cache of keys and values, as incremental decoding needs:
 * {@code out = Σ_t softmax_t(q·k_t / √D) · v_t} over cache positions t ∈ [0, len). Keys and values
 * are rows of {@code stride} floats; the head's D columns start at {@code headOff} in each row.
 * Grouped-query attention needs no copy: with a cache of rows (position, KV·D), query head h
 * reads {@code stride = KV·D}, {@code headOff = (h / (H/KV))·D}.
 */
public final class DecodeAttentionKernel {

    private DecodeAttentionKernel() {}

    /** {@code scores} is scratch of at least {@code len} floats. */
    public static void attend(float[] q, int qOff, float[] k, float[] v, int cacheOff, int stride, int headOff, int len, int d,
                              float[] out, int outOff, float[] scores) {
        if (Simd.ENABLED) Vec.attend(q, qOff, k, v, cacheOff, stride, headOff, len, d, out, outOff, scores);
        else attendScalar(q, qOff, k, v, cacheOff, stride, headOff, len, d, out, outOff, scores);
    }

    public static void attendScalar(float[] q, int qOff, float[] k, float[] v, int cacheOff, int stride, int headOff, int len, int d,
                                    float[] out, int outOff, float[] scores) {
        float scale = (float) (1.0 / Math.sqrt(d));
        float max = Float.NEGATIVE_INFINITY;
        for (int t = 0; t < len; t++) {
            int row = cacheOff + t * stride + headOff;
            float s = 0f;
            for (int i = 0; i < d; i++) s += q[qOff + i] * k[row + i];
            scores[t] = s * scale;
            max = Math.max(max, scores[t]);
        }
        double sum = 0;
        for (int t = 0; t < len; t++) {
            scores[t] = (float) StrictMath.exp(scores[t] - max);
            sum += scores[t];
        }
        float inv = (float) (1.0 / sum);
        for (int i = 0; i < d; i++) out[outOff + i] = 0f;
        for (int t = 0; t < len; t++) {
            float p = scores[t] * inv;
            int row = cacheOff + t * stride + headOff;
            for (int i = 0; i < d; i++) out[outOff + i] += p * v[row + i];
        }
    }

    static final class Vec {
        static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

        private Vec() {}

        static void attend(float[] q, int qOff, float[] k, float[] v, int cacheOff, int stride, int headOff, int len, int d,
                           float[] out, int outOff, float[] scores) {
            float scale = (float) (1.0 / Math.sqrt(d));
            float max = Float.NEGATIVE_INFINITY;
            for (int t = 0; t < len; t++) {
                float s = VectorDot.of(q, qOff, k, cacheOff + t * stride + headOff, d) * scale;
                scores[t] = s;
                max = Math.max(max, s);
            }
            float sum = 0f;
            for (int t = 0; t < len; t++) {
                float e = Exp.exp(scores[t] - max);
                scores[t] = e;
                sum += e;
            }
            float inv = 1f / sum;
            java.util.Arrays.fill(out, outOff, outOff + d, 0f);
            int bound = S.loopBound(d);
            for (int t = 0; t < len; t++) {
                float p = scores[t] * inv;
                int row = cacheOff + t * stride + headOff;
                FloatVector pv = FloatVector.broadcast(S, p);
                int i = 0;
                for (; i < bound; i += S.length()) {
                    FloatVector.fromArray(S, v, row + i).fma(pv, FloatVector.fromArray(S, out, outOff + i)).intoArray(out, outOff + i);
                }
                for (; i < d; i++) out[outOff + i] += p * v[row + i];
            }
        }
    }
}
