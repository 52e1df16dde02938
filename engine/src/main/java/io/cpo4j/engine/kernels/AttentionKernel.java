package io.cpo4j.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Causal multi-head self-attention over a fused projection, as llm.c lays it out:
 * {@code qkv} is (B, T, 3C) with each row {@code [q | k | v]}, head h using columns
 * {@code [h·D, (h+1)·D)} of each part (D = C / NH); the output is (B, T, C). Scores are scaled by
 * 1/√D and position t attends to positions 0..t.
 *
 * <p>The forward stores the attention probabilities (B, NH, T, T) (row t uses entries 0..t) for
 * the backward. Work is split over (batch, head) pairs; each pair writes only its own columns.
 */
public final class AttentionKernel {

    private AttentionKernel() {}

    /** {@code att} may be null when no backward will follow. */
    public static void forward(float[] qkv, int qkvOff, float[] out, int outOff, float[] att, int attOff,
                               int B, int T, int C, int NH) {
        Parallel.forChunks(B * NH, 1, (from, to) -> {
            float[] row = att == null ? new float[T] : null;
            for (int bh = from; bh < to; bh++) {
                if (Simd.ENABLED) Vec.forwardHead(qkv, qkvOff, out, outOff, att, attOff, row, bh, T, C, NH);
                else forwardHeadScalar(qkv, qkvOff, out, outOff, att, attOff, row, bh, T, C, NH);
            }
        });
    }

    public static void forwardHeadScalar(float[] qkv, int qkvOff, float[] out, int outOff, float[] att, int attOff,
                                         float[] scratch, int bh, int T, int C, int NH) {
        int b = bh / NH, h = bh % NH, D = C / NH, C3 = 3 * C;
        float scale = (float) (1.0 / Math.sqrt(D));
        for (int t = 0; t < T; t++) {
            float[] p = att != null ? att : scratch;
            int pOff = att != null ? attOff + (bh * T + t) * T : 0;
            int q = qkvOff + (b * T + t) * C3 + h * D;
            float max = Float.NEGATIVE_INFINITY;
            for (int t2 = 0; t2 <= t; t2++) {
                int k = qkvOff + (b * T + t2) * C3 + C + h * D;
                float s = 0f;
                for (int i = 0; i < D; i++) s += qkv[q + i] * qkv[k + i];
                s *= scale;
                p[pOff + t2] = s;
                max = Math.max(max, s);
            }
            double sum = 0;
            for (int t2 = 0; t2 <= t; t2++) {
                float e = (float) StrictMath.exp(p[pOff + t2] - max);
                p[pOff + t2] = e;
                sum += e;
            }
            float inv = (float) (1.0 / sum);
            int o = outOff + (b * T + t) * C + h * D;
            for (int i = 0; i < D; i++) out[o + i] = 0f;
            for (int t2 = 0; t2 <= t; t2++) {
                p[pOff + t2] *= inv;
                int v = qkvOff + (b * T + t2) * C3 + 2 * C + h * D;
                for (int i = 0; i < D; i++) out[o + i] += p[pOff + t2] * qkv[v + i];
            }
        }
    }

    /** dqkv += the gradient of the attention output {@code dout} (B, T, C) with respect to qkv. */
    public static void backward(float[] dout, int dOff, float[] qkv, int qkvOff, float[] att, int attOff,
                                float[] dqkv, int dqOff, int B, int T, int C, int NH) {
        Parallel.forChunks(B * NH, 1, (from, to) -> {
            float[] datt = new float[T];
            for (int bh = from; bh < to; bh++) {
                if (Simd.ENABLED) Vec.backwardHead(dout, dOff, qkv, qkvOff, att, attOff, dqkv, dqOff, datt, bh, T, C, NH);
                else backwardHeadScalar(dout, dOff, qkv, qkvOff, att, attOff, dqkv, dqOff, datt, bh, T, C, NH);
            }
        });
    }

    public static void backwardHeadScalar(float[] dout, int dOff, float[] qkv, int qkvOff, float[] att, int attOff,
                                          float[] dqkv, int dqOff, float[] datt, int bh, int T, int C, int NH) {
        int b = bh / NH, h = bh % NH, D = C / NH, C3 = 3 * C;
        float scale = (float) (1.0 / Math.sqrt(D));
        for (int t = 0; t < T; t++) {
            int p = attOff + (bh * T + t) * T;
            int go = dOff + (b * T + t) * C + h * D;
            // through out_t = Σ p[t2] · v_t2
            for (int t2 = 0; t2 <= t; t2++) {
                int v = qkvOff + (b * T + t2) * C3 + 2 * C + h * D;
                int dv = dqOff + (b * T + t2) * C3 + 2 * C + h * D;
                float s = 0f;
                for (int i = 0; i < D; i++) s += dout[go + i] * qkv[v + i];
                datt[t2] = s;
                for (int i = 0; i < D; i++) dqkv[dv + i] += att[p + t2] * dout[go + i];
            }
            // through the softmax: dpre = p ⊙ (datt − ⟨p, datt⟩)
            float dot = 0f;
            for (int t2 = 0; t2 <= t; t2++) dot += att[p + t2] * datt[t2];
            int q = qkvOff + (b * T + t) * C3 + h * D;
            int dq = dqOff + (b * T + t) * C3 + h * D;
            for (int t2 = 0; t2 <= t; t2++) {
                float dpre = att[p + t2] * (datt[t2] - dot) * scale;
                int k = qkvOff + (b * T + t2) * C3 + C + h * D;
                int dk = dqOff + (b * T + t2) * C3 + C + h * D;
                for (int i = 0; i < D; i++) {
                    dqkv[dq + i] += dpre * qkv[k + i];
                    dqkv[dk + i] += dpre * qkv[q + i];
                }
            }
        }
    }

    static final class Vec {
        static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

        private Vec() {}

        /** y += alpha · x. */
        static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
            FloatVector a = FloatVector.broadcast(S, alpha);
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += S.length()) {
                FloatVector.fromArray(S, x, xOff + i).fma(a, FloatVector.fromArray(S, y, yOff + i)).intoArray(y, yOff + i);
            }
            for (; i < n; i++) y[yOff + i] += alpha * x[xOff + i];
        }

        static void forwardHead(float[] qkv, int qkvOff, float[] out, int outOff, float[] att, int attOff,
                                float[] scratch, int bh, int T, int C, int NH) {
            int b = bh / NH, h = bh % NH, D = C / NH, C3 = 3 * C;
            float scale = (float) (1.0 / Math.sqrt(D));
            for (int t = 0; t < T; t++) {
                float[] p = att != null ? att : scratch;
                int pOff = att != null ? attOff + (bh * T + t) * T : 0;
                int q = qkvOff + (b * T + t) * C3 + h * D;
                float max = Float.NEGATIVE_INFINITY;
                for (int t2 = 0; t2 <= t; t2++) {
                    float s = VectorDot.of(qkv, q, qkv, qkvOff + (b * T + t2) * C3 + C + h * D, D) * scale;
                    p[pOff + t2] = s;
                    max = Math.max(max, s);
                }
                float sum = 0f;
                for (int t2 = 0; t2 <= t; t2++) {
                    float e = Exp.exp(p[pOff + t2] - max);
                    p[pOff + t2] = e;
                    sum += e;
                }
                float inv = 1f / sum;
                int o = outOff + (b * T + t) * C + h * D;
                java.util.Arrays.fill(out, o, o + D, 0f);
                for (int t2 = 0; t2 <= t; t2++) {
                    p[pOff + t2] *= inv;
                    axpy(p[pOff + t2], qkv, qkvOff + (b * T + t2) * C3 + 2 * C + h * D, out, o, D);
                }
            }
        }

        static void backwardHead(float[] dout, int dOff, float[] qkv, int qkvOff, float[] att, int attOff,
                                 float[] dqkv, int dqOff, float[] datt, int bh, int T, int C, int NH) {
            int b = bh / NH, h = bh % NH, D = C / NH, C3 = 3 * C;
            float scale = (float) (1.0 / Math.sqrt(D));
            for (int t = 0; t < T; t++) {
                int p = attOff + (bh * T + t) * T;
                int go = dOff + (b * T + t) * C + h * D;
                for (int t2 = 0; t2 <= t; t2++) {
                    int v = qkvOff + (b * T + t2) * C3 + 2 * C + h * D;
                    datt[t2] = VectorDot.of(dout, go, qkv, v, D);
                    axpy(att[p + t2], dout, go, dqkv, dqOff + (b * T + t2) * C3 + 2 * C + h * D, D);
                }
                float dot = 0f;
                for (int t2 = 0; t2 <= t; t2++) dot += att[p + t2] * datt[t2];
                int q = qkvOff + (b * T + t) * C3 + h * D;
                int dq = dqOff + (b * T + t) * C3 + h * D;
                for (int t2 = 0; t2 <= t; t2++) {
                    float dpre = att[p + t2] * (datt[t2] - dot) * scale;
                    axpy(dpre, qkv, qkvOff + (b * T + t2) * C3 + C + h * D, dqkv, dq, D);
                    axpy(dpre, qkv, q, dqkv, dqOff + (b * T + t2) * C3 + C + h * D, D);
                }
            }
        }
    }
}
