package io.cpo4j.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A few rows times a weight matrix stored (out, in), as decoding needs it:
 * {@code y[r, o] = Σ_i W[o, i] · x[r, i] (+ bias[o])}. Each weight row is read once and dotted
 * with up to four input rows at a time, so batch-1 and batch-8 decoding stream the weights once per
 * token — the memory-bound case where a general GEMM's packing would only add traffic.
 * Work is split over output rows; each output is one fixed-order dot product.
 */
public final class MatVecKernel {

    private MatVecKernel() {}

    /** x (rows, in), w (out, in), bias (out) or null → y (rows, out). */
    public static void multiply(float[] x, int xOff, int rows, int in, float[] w, int wOff, int out,
                                float[] bias, int bOff, float[] y, int yOff) {
        Parallel.forChunks(out, chunk(out, in), (from, to) -> rows(x, xOff, rows, in, w, wOff, from, to, out, bias, bOff, y, yOff));
    }

    /**
     * Several weight matrices that read the same input, in one parallel region (a block's q, k and v;
     * its gate and up): for each m, x (rows, in) · w[m] (out[m], in) + bias[m] (or none) → y[m]
     * (rows, out[m]) from offset 0. The outputs of all matrices are split together, so a decoding step
     * pays for one region where it would pay for several; each output is the one {@link #multiply} gives.
     */
    public static void multiplyAll(float[] x, int xOff, int rows, int in, float[][] w, int[] wOff, int[] out,
                                   float[][] bias, int[] bOff, float[][] y) {
        int[] start = new int[w.length + 1];
        for (int m = 0; m < w.length; m++) start[m + 1] = start[m] + out[m];
        int total = start[w.length];
        Parallel.forChunks(total, chunk(total, in), (from, to) -> {
            for (int m = 0; m < w.length; m++) {
                int lo = Math.max(from, start[m]) - start[m], hi = Math.min(to, start[m + 1]) - start[m];
                if (lo < hi) rows(x, xOff, rows, in, w[m], wOff[m], lo, hi, out[m], bias[m], bOff[m], y[m], 0);
            }
        });
    }

    /**
     * Output rows per claim: at least 16k weights, about sixteen claims per thread, a multiple of four rows.
     * Claimed by whichever thread is free, so a core that the machine slows for a while takes fewer of them,
     * and a region ends with at most one small claim still running (at four claims per thread, decoding
     * smollm2-135m on 2 threads reached 0.79-0.81 of the read bound; at sixteen, 0.84 twice).
     */
    static int chunk(int out, int in) {
        int grain = Math.max(1, (1 << 14) / Math.max(1, in)), threads = Parallel.threads();
        return (Math.max(grain, (out + 16 * threads - 1) / (16 * threads)) + 3) & ~3;
    }

    /** Output rows [from, to) of y (rows, out). */
    private static void rows(float[] x, int xOff, int rows, int in, float[] w, int wOff, int from, int to, int out,
                             float[] bias, int bOff, float[] y, int yOff) {
        if (Simd.ENABLED && rows == 1) Vec.multiplyOneRow(x, xOff, in, w, wOff, from, to, bias, bOff, y, yOff);
        else if (Simd.ENABLED) Vec.multiply(x, xOff, rows, in, w, wOff, from, to, out, bias, bOff, y, yOff);
        else multiplyScalar(x, xOff, rows, in, w, wOff, from, to, out, bias, bOff, y, yOff);
    }

    /** Scalar twin over output rows [from, to). */
    public static void multiplyScalar(float[] x, int xOff, int rows, int in, float[] w, int wOff, int from, int to, int out,
                                      float[] bias, int bOff, float[] y, int yOff) {
        for (int o = from; o < to; o++) {
            for (int r = 0; r < rows; r++) {
                float s = 0f;
                for (int i = 0; i < in; i++) s += w[wOff + o * in + i] * x[xOff + r * in + i];
                y[yOff + r * out + o] = s + (bias == null ? 0f : bias[bOff + o]);
            }
        }
    }

    static final class Vec {
        static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

        private Vec() {}

        static void multiply(float[] x, int xOff, int rows, int in, float[] w, int wOff, int from, int to, int out,
                             float[] bias, int bOff, float[] y, int yOff) {
            for (int o = from; o < to; o++) {
                float b = bias == null ? 0f : bias[bOff + o];
                int r = 0;
                for (; r + 4 <= rows; r += 4) dot4(x, xOff + r * in, in, w, wOff + o * in, b, y, yOff + r * out + o, out);
                for (; r < rows; r++) y[yOff + r * out + o] = VectorDot.of(x, xOff + r * in, w, wOff + o * in, in) + b;
            }
        }

        /**
         * Rows [from, to) of y for one input row: four weight rows at a time, four independent FMA
         * chains, so that four weight streams are in flight where one chain would wait on its loads
         * (batch-1 decoding). Each output is still {@link VectorDot#of}'s sum, in its order.
         */
        static void multiplyOneRow(float[] x, int xOff, int in, float[] w, int wOff, int from, int to,
                                   float[] bias, int bOff, float[] y, int yOff) {
            int o = from;
            for (; o + 4 <= to; o += 4) dotRows4(x, xOff, in, w, wOff + o * in, bias, bOff + o, y, yOff + o);
            for (; o < to; o++) y[yOff + o] = VectorDot.of(x, xOff, w, wOff + o * in, in) + (bias == null ? 0f : bias[bOff + o]);
        }

        /** One input row against four consecutive weight rows (stride in); outputs y[yo..yo+3]. */
        static void dotRows4(float[] x, int xo, int in, float[] w, int wo, float[] bias, int bo, float[] y, int yo) {
            FloatVector a0 = FloatVector.zero(S), a1 = FloatVector.zero(S), a2 = FloatVector.zero(S), a3 = FloatVector.zero(S);
            int i = 0;
            for (int bound = S.loopBound(in); i < bound; i += S.length()) {
                FloatVector xv = FloatVector.fromArray(S, x, xo + i);
                a0 = xv.fma(FloatVector.fromArray(S, w, wo + i), a0);
                a1 = xv.fma(FloatVector.fromArray(S, w, wo + in + i), a1);
                a2 = xv.fma(FloatVector.fromArray(S, w, wo + 2 * in + i), a2);
                a3 = xv.fma(FloatVector.fromArray(S, w, wo + 3 * in + i), a3);
            }
            float s0 = Lanes.sum(a0), s1 = Lanes.sum(a1), s2 = Lanes.sum(a2), s3 = Lanes.sum(a3);
            for (; i < in; i++) {
                float xi = x[xo + i];
                s0 += xi * w[wo + i];
                s1 += xi * w[wo + in + i];
                s2 += xi * w[wo + 2 * in + i];
                s3 += xi * w[wo + 3 * in + i];
            }
            y[yo] = s0 + (bias == null ? 0f : bias[bo]);
            y[yo + 1] = s1 + (bias == null ? 0f : bias[bo + 1]);
            y[yo + 2] = s2 + (bias == null ? 0f : bias[bo + 2]);
            y[yo + 3] = s3 + (bias == null ? 0f : bias[bo + 3]);
        }

        /** Four input rows (stride in) against one weight row; outputs at y[yo], y[yo + ys], …. */
        static void dot4(float[] x, int xo, int in, float[] w, int wo, float bias, float[] y, int yo, int ys) {
            FloatVector a0 = FloatVector.zero(S), a1 = FloatVector.zero(S), a2 = FloatVector.zero(S), a3 = FloatVector.zero(S);
            int i = 0;
            for (int bound = S.loopBound(in); i < bound; i += S.length()) {
                FloatVector wv = FloatVector.fromArray(S, w, wo + i);
                a0 = wv.fma(FloatVector.fromArray(S, x, xo + i), a0);
                a1 = wv.fma(FloatVector.fromArray(S, x, xo + in + i), a1);
                a2 = wv.fma(FloatVector.fromArray(S, x, xo + 2 * in + i), a2);
                a3 = wv.fma(FloatVector.fromArray(S, x, xo + 3 * in + i), a3);
            }
            float s0 = Lanes.sum(a0), s1 = Lanes.sum(a1), s2 = Lanes.sum(a2), s3 = Lanes.sum(a3);
            for (; i < in; i++) {
                float wi = w[wo + i];
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
