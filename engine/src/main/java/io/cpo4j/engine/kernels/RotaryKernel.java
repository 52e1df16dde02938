package io.cpo4j.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Rotary position embedding as HF applies it ({@code x·cos + rotate_half(x)·sin}): each head's D
 * values are two halves, and pair i (i &lt; D/2) of a row at position p turns by angle θ(p, i):
 * {@code out[i] = x[i]·cos − x[i+D/2]·sin}, {@code out[i+D/2] = x[i+D/2]·cos + x[i]·sin}, with
 * cos and sin read from tables (P, D/2) row-major. The backward turns the gradient by −θ.
 *
 * <p>Rows are {@code heads·D} floats at the given row stride; each row has its own position, so
 * a decoder can rotate a cache row at a time ({@link #rotateRow}). {@code out} may be {@code x}.
 */
public final class RotaryKernel {

    private RotaryKernel() {}

    private static int grain(int width) {
        return Math.max(1, (1 << 14) / Math.max(1, width));
    }

    /** out row r = x row r turned to position {@code positions[r]}; rows {@code xStride} and {@code outStride} floats apart. */
    public static void forward(float[] x, int xOff, int xStride, float[] out, int outOff, int outStride, int rows,
                               int heads, int headDim, float[] cos, float[] sin, int[] positions) {
        Parallel.forChunks(rows, grain(heads * headDim), (from, to) -> {
            for (int r = from; r < to; r++) {
                rotateRow(x, xOff + r * xStride, out, outOff + r * outStride, heads, headDim, cos, sin, positions[r]);
            }
        });
    }

    /** dx row r += dout row r turned back from position {@code positions[r]}; rows of {@code heads·D} floats. */
    public static void backward(float[] dout, int dOff, float[] dx, int dxOff, int rows,
                                int heads, int headDim, float[] cos, float[] sin, int[] positions) {
        int width = heads * headDim;
        Parallel.forChunks(rows, grain(width), (from, to) -> {
            for (int r = from; r < to; r++) {
                if (Simd.ENABLED) Vec.rotateBackRow(dout, dOff + r * width, dx, dxOff + r * width, heads, headDim, cos, sin, positions[r]);
                else rotateBackRowScalar(dout, dOff + r * width, dx, dxOff + r * width, heads, headDim, cos, sin, positions[r]);
            }
        });
    }

    /**
     * One row of {@code heads} heads turned to {@code position}: the no-graph decoder's entry.
     * Nothing is checked here: position must be a row of the tables (the op checks its input).
     */
    public static void rotateRow(float[] x, int xOff, float[] out, int outOff, int heads, int headDim,
                                 float[] cos, float[] sin, int position) {
        if (Simd.ENABLED) Vec.rotateRow(x, xOff, out, outOff, heads, headDim, cos, sin, position);
        else rotateRowScalar(x, xOff, out, outOff, heads, headDim, cos, sin, position);
    }

    public static void rotateRowScalar(float[] x, int xOff, float[] out, int outOff, int heads, int headDim,
                                       float[] cos, float[] sin, int position) {
        int half = headDim / 2, t = position * half;
        for (int h = 0; h < heads; h++) {
            int a = xOff + h * headDim, o = outOff + h * headDim;
            for (int i = 0; i < half; i++) {
                float x1 = x[a + i], x2 = x[a + i + half], c = cos[t + i], s = sin[t + i];
                float y1 = x1 * c - x2 * s, y2 = x2 * c + x1 * s;
                out[o + i] = y1;
                out[o + i + half] = y2;
            }
        }
    }

    /** dx += dout turned by −θ: {@code dx[i] += g[i]·cos + g[i+D/2]·sin}, {@code dx[i+D/2] += g[i+D/2]·cos − g[i]·sin}. */
    public static void rotateBackRowScalar(float[] dout, int dOff, float[] dx, int dxOff, int heads, int headDim,
                                           float[] cos, float[] sin, int position) {
        int half = headDim / 2, t = position * half;
        for (int h = 0; h < heads; h++) {
            int g = dOff + h * headDim, o = dxOff + h * headDim;
            for (int i = 0; i < half; i++) {
                float g1 = dout[g + i], g2 = dout[g + i + half], c = cos[t + i], s = sin[t + i];
                dx[o + i] += g1 * c + g2 * s;
                dx[o + i + half] += g2 * c - g1 * s;
            }
        }
    }

    static final class Vec {
        static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

        private Vec() {}

        static void rotateRow(float[] x, int xOff, float[] out, int outOff, int heads, int headDim,
                              float[] cos, float[] sin, int position) {
            int half = headDim / 2, t = position * half, bound = S.loopBound(half);
            for (int h = 0; h < heads; h++) {
                int a = xOff + h * headDim, o = outOff + h * headDim, i = 0;
                for (; i < bound; i += S.length()) {
                    FloatVector x1 = FloatVector.fromArray(S, x, a + i), x2 = FloatVector.fromArray(S, x, a + i + half);
                    FloatVector c = FloatVector.fromArray(S, cos, t + i), s = FloatVector.fromArray(S, sin, t + i);
                    FloatVector y1 = x1.mul(c).sub(x2.mul(s)), y2 = x2.mul(c).add(x1.mul(s));
                    y1.intoArray(out, o + i);
                    y2.intoArray(out, o + i + half);
                }
                for (; i < half; i++) {
                    float x1 = x[a + i], x2 = x[a + i + half], c = cos[t + i], s = sin[t + i];
                    float y1 = x1 * c - x2 * s, y2 = x2 * c + x1 * s;
                    out[o + i] = y1;
                    out[o + i + half] = y2;
                }
            }
        }

        static void rotateBackRow(float[] dout, int dOff, float[] dx, int dxOff, int heads, int headDim,
                                  float[] cos, float[] sin, int position) {
            int half = headDim / 2, t = position * half, bound = S.loopBound(half);
            for (int h = 0; h < heads; h++) {
                int g = dOff + h * headDim, o = dxOff + h * headDim, i = 0;
                for (; i < bound; i += S.length()) {
                    FloatVector g1 = FloatVector.fromArray(S, dout, g + i), g2 = FloatVector.fromArray(S, dout, g + i + half);
                    FloatVector c = FloatVector.fromArray(S, cos, t + i), s = FloatVector.fromArray(S, sin, t + i);
                    g1.mul(c).add(g2.mul(s)).add(FloatVector.fromArray(S, dx, o + i)).intoArray(dx, o + i);
                    g2.mul(c).sub(g1.mul(s)).add(FloatVector.fromArray(S, dx, o + i + half)).intoArray(dx, o + i + half);
                }
                for (; i < half; i++) {
                    float g1 = dout[g + i], g2 = dout[g + i + half], c = cos[t + i], s = sin[t + i];
                    dx[o + i] += g1 * c + g2 * s;
                    dx[o + i + half] += g2 * c - g1 * s;
                }
            }
        }
    }
}
