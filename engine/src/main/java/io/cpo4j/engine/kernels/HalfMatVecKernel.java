package io.cpo4j.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link MatVecKernel} with the weight matrix held in half precision (bfloat16 or float16 bits,
 * {@code bf16} says which): {@code y[r, o] = Σ_i W[o, i] · x[r, i] (+ bias[o])}, each weight
 * widened to float32 as it is loaded, so decoding streams half the bytes. Every output is computed
 * by the same operations in the same order as {@link MatVecKernel} on the widened matrix — the same
 * bits — and the work is split over output rows as there.
 */
public final class HalfMatVecKernel {

    private HalfMatVecKernel() {}

    /** x (rows, in), w (out, in) half-precision bits, bias (out) or null → y (rows, out). */
    public static void multiply(float[] x, int xOff, int rows, int in, short[] w, int wOff, boolean bf16, int out,
                                float[] bias, int bOff, float[] y, int yOff) {
        Parallel.forChunks(out, MatVecKernel.chunk(out, in),
                (from, to) -> rows(x, xOff, rows, in, w, wOff, bf16, from, to, out, bias, bOff, y, yOff));
    }

    /** {@link MatVecKernel#multiplyAll} over half-precision matrices, all of one format. */
    public static void multiplyAll(float[] x, int xOff, int rows, int in, short[][] w, int[] wOff, boolean bf16, int[] out,
                                   float[][] bias, int[] bOff, float[][] y) {
        int[] start = new int[w.length + 1];
        for (int m = 0; m < w.length; m++) start[m + 1] = start[m] + out[m];
        int total = start[w.length];
        Parallel.forChunks(total, MatVecKernel.chunk(total, in), (from, to) -> {
            for (int m = 0; m < w.length; m++) {
                int lo = Math.max(from, start[m]) - start[m], hi = Math.min(to, start[m + 1]) - start[m];
                if (lo < hi) rows(x, xOff, rows, in, w[m], wOff[m], bf16, lo, hi, out[m], bias[m], bOff[m], y[m], 0);
            }
        });
    }

    /** Output rows [from, to) of y (rows, out). */
    private static void rows(float[] x, int xOff, int rows, int in, short[] w, int wOff, boolean bf16, int from, int to, int out,
                             float[] bias, int bOff, float[] y, int yOff) {
        if (Simd.ENABLED && rows == 1) Vec.multiplyOneRow(x, xOff, in, w, wOff, bf16, from, to, bias, bOff, y, yOff);
        else if (Simd.ENABLED) Vec.multiply(x, xOff, rows, in, w, wOff, bf16, from, to, out, bias, bOff, y, yOff);
        else multiplyScalar(x, xOff, rows, in, w, wOff, bf16, from, to, out, bias, bOff, y, yOff);
    }

    /** Scalar twin over output rows [from, to): {@link MatVecKernel#multiplyScalar} on the widened weights. */
    public static void multiplyScalar(float[] x, int xOff, int rows, int in, short[] w, int wOff, boolean bf16, int from, int to,
                                      int out, float[] bias, int bOff, float[] y, int yOff) {
        for (int o = from; o < to; o++) {
            for (int r = 0; r < rows; r++) {
                float s = 0f;
                for (int i = 0; i < in; i++) s += HalfFloats.toFloat(w[wOff + o * in + i], bf16) * x[xOff + r * in + i];
                y[yOff + r * out + o] = s + (bias == null ? 0f : bias[bOff + o]);
            }
        }
    }

    /**
     * The vector path: {@link MatVecKernel.Vec}'s loops. bfloat16 vectors are widened as they are
     * loaded (a shift); float16 rows are first widened into a per-thread scratch row (L1 or L2) by
     * {@link HalfFloats#widen}, then read by {@link MatVecKernel.Vec}'s own kernels (a float16
     * conversion written with the Vector API, inlined four times into a kernel, made C2 give up
     * inlining, and every vector was boxed).
     */
    static final class Vec {
        static final VectorSpecies<Float> S = HalfVectors.S;

        private Vec() {}

        static void multiply(float[] x, int xOff, int rows, int in, short[] w, int wOff, boolean bf16, int from, int to, int out,
                             float[] bias, int bOff, float[] y, int yOff) {
            for (int o = from; o < to; o++) {
                float b = bias == null ? 0f : bias[bOff + o];
                int r = 0;
                if (bf16) {
                    for (; r + 4 <= rows; r += 4) dot4Bf16(x, xOff + r * in, in, w, wOff + o * in, b, y, yOff + r * out + o, out);
                } else if (rows >= 4) {
                    float[] row = ThreadScratch.get(ThreadScratch.HALF_ROWS, in);
                    HalfFloats.widen(w, wOff + o * in, row, 0, in, false);
                    for (; r + 4 <= rows; r += 4) MatVecKernel.Vec.dot4(x, xOff + r * in, in, row, 0, b, y, yOff + r * out + o, out);
                }
                for (; r < rows; r++) y[yOff + r * out + o] = dot(x, xOff + r * in, w, wOff + o * in, bf16, in) + b;
            }
        }

        /** One input row, four weight rows at a time: {@link MatVecKernel.Vec#multiplyOneRow}. */
        static void multiplyOneRow(float[] x, int xOff, int in, short[] w, int wOff, boolean bf16, int from, int to,
                                   float[] bias, int bOff, float[] y, int yOff) {
            int o = from;
            if (bf16) for (; o + 4 <= to; o += 4) dotRows4Bf16(x, xOff, in, w, wOff + o * in, bias, bOff + o, y, yOff + o);
            else if (o + 4 <= to) {
                float[] rows4 = ThreadScratch.get(ThreadScratch.HALF_ROWS, 4 * in);
                for (; o + 4 <= to; o += 4) {
                    HalfFloats.widen(w, wOff + o * in, rows4, 0, 4 * in, false);
                    MatVecKernel.Vec.dotRows4(x, xOff, in, rows4, 0, bias, bOff + o, y, yOff + o);
                }
            }
            for (; o < to; o++) y[yOff + o] = dot(x, xOff, w, wOff + o * in, bf16, in) + (bias == null ? 0f : bias[bOff + o]);
        }

        /** {@link VectorDot#of}(x, widened w): the same FMA chain, lane sum and scalar tail. */
        static float dot(float[] x, int xo, short[] w, int wo, boolean bf16, int n) {
            if (bf16) return dotBf16(x, xo, w, wo, n);
            float[] row = ThreadScratch.get(ThreadScratch.HALF_ROWS, n);
            HalfFloats.widen(w, wo, row, 0, n, false);
            return VectorDot.of(x, xo, row, 0, n);
        }

        // bfloat16 kernels: MatVecKernel.Vec's, with each weight vector widened as it is loaded.

        /** {@link VectorDot#of}(x, widened w): the same FMA chain, lane sum and scalar tail. */
        static float dotBf16(float[] x, int xo, short[] w, int wo, int n) {
            FloatVector acc = FloatVector.zero(S);
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += S.length()) {
                acc = FloatVector.fromArray(S, x, xo + i).fma(HalfVectors.bf16(w, wo + i), acc);
            }
            float s = Lanes.sum(acc);
            for (; i < n; i++) s += x[xo + i] * HalfFloats.bf16ToFloat(w[wo + i]);
            return s;
        }

        /** One input row against four consecutive weight rows (stride in); outputs y[yo..yo+3]. */
        static void dotRows4Bf16(float[] x, int xo, int in, short[] w, int wo, float[] bias, int bo, float[] y, int yo) {
            FloatVector a0 = FloatVector.zero(S), a1 = FloatVector.zero(S), a2 = FloatVector.zero(S), a3 = FloatVector.zero(S);
            int i = 0;
            for (int bound = S.loopBound(in); i < bound; i += S.length()) {
                FloatVector xv = FloatVector.fromArray(S, x, xo + i);
                a0 = xv.fma(HalfVectors.bf16(w, wo + i), a0);
                a1 = xv.fma(HalfVectors.bf16(w, wo + in + i), a1);
                a2 = xv.fma(HalfVectors.bf16(w, wo + 2 * in + i), a2);
                a3 = xv.fma(HalfVectors.bf16(w, wo + 3 * in + i), a3);
            }
            float s0 = Lanes.sum(a0), s1 = Lanes.sum(a1), s2 = Lanes.sum(a2), s3 = Lanes.sum(a3);
            for (; i < in; i++) {
                float xi = x[xo + i];
                s0 += xi * HalfFloats.bf16ToFloat(w[wo + i]);
                s1 += xi * HalfFloats.bf16ToFloat(w[wo + in + i]);
                s2 += xi * HalfFloats.bf16ToFloat(w[wo + 2 * in + i]);
                s3 += xi * HalfFloats.bf16ToFloat(w[wo + 3 * in + i]);
            }
            y[yo] = s0 + (bias == null ? 0f : bias[bo]);
            y[yo + 1] = s1 + (bias == null ? 0f : bias[bo + 1]);
            y[yo + 2] = s2 + (bias == null ? 0f : bias[bo + 2]);
            y[yo + 3] = s3 + (bias == null ? 0f : bias[bo + 3]);
        }

        /** Four input rows (stride in) against one weight row; outputs at y[yo], y[yo + ys], …. */
        static void dot4Bf16(float[] x, int xo, int in, short[] w, int wo, float bias, float[] y, int yo, int ys) {
            FloatVector a0 = FloatVector.zero(S), a1 = FloatVector.zero(S), a2 = FloatVector.zero(S), a3 = FloatVector.zero(S);
            int i = 0;
            for (int bound = S.loopBound(in); i < bound; i += S.length()) {
                FloatVector wv = HalfVectors.bf16(w, wo + i);
                a0 = wv.fma(FloatVector.fromArray(S, x, xo + i), a0);
                a1 = wv.fma(FloatVector.fromArray(S, x, xo + in + i), a1);
                a2 = wv.fma(FloatVector.fromArray(S, x, xo + 2 * in + i), a2);
                a3 = wv.fma(FloatVector.fromArray(S, x, xo + 3 * in + i), a3);
            }
            float s0 = Lanes.sum(a0), s1 = Lanes.sum(a1), s2 = Lanes.sum(a2), s3 = Lanes.sum(a3);
            for (; i < in; i++) {
                float wi = HalfFloats.bf16ToFloat(w[wo + i]);
                s0 += wi * x[xo + i];
                s1 += wi * x[xo + in + i];
                s2 += wi * x[xo + 2 * in + i];
                s3 += wi * x[xo + 3 * in + i];
            }
            y[yo] = s0 + bias;
            y[yo + ys] = s1 + bias;
            y[yo + 2 * ys] = s2 + bias;
            y[yo + 3 * ys] = s3 + bias;
        }
    }
}
