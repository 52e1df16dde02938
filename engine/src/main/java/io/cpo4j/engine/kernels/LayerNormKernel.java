package io.cpo4j.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Layer normalisation over the rows of a (rows, cols) matrix:
 * {@code out = (x − mean) · rstd · w + b}, with {@code rstd = 1/sqrt(var + eps)} (biased variance).
 * Forward saves mean and rstd per row for the backward.
 */
public final class LayerNormKernel {

    private LayerNormKernel() {}

    private static int grain(int cols) {
        return Math.max(1, (1 << 14) / Math.max(1, cols));
    }

    /** Normalises every row; {@code mean} and {@code rstd} (length rows) may be null when not needed. */
    public static void forward(float[] x, int xOff, float[] w, int wOff, float[] b, int bOff,
                               float[] out, int outOff, float[] mean, float[] rstd, int rows, int cols, float eps) {
        Parallel.forChunks(rows, grain(cols), (from, to) -> {
            for (int r = from; r < to; r++) {
                if (Simd.ENABLED) Vec.forwardRow(x, xOff + r * cols, w, wOff, b, bOff, out, outOff + r * cols, mean, rstd, r, cols, eps);
                else forwardRowScalar(x, xOff + r * cols, w, wOff, b, bOff, out, outOff + r * cols, mean, rstd, r, cols, eps);
            }
        });
    }

    public static void forwardRowScalar(float[] x, int xOff, float[] w, int wOff, float[] b, int bOff,
                                        float[] out, int outOff, float[] mean, float[] rstd, int r, int n, float eps) {
        double s = 0;
        for (int i = 0; i < n; i++) s += x[xOff + i];
        float m = (float) (s / n);
        double v = 0;
        for (int i = 0; i < n; i++) {
            float d = x[xOff + i] - m;
            v += d * d;
        }
        float rs = (float) (1.0 / Math.sqrt(v / n + eps));
        for (int i = 0; i < n; i++) out[outOff + i] = (x[xOff + i] - m) * rs * w[wOff + i] + b[bOff + i];
        if (mean != null) mean[r] = m;
        if (rstd != null) rstd[r] = rs;
    }

    /** Rows per partial sum of dw and db: fixed, so that the sums do not depend on the thread count. */
    static final int PARAM_ROWS = 32;

    /**
     * dx += the gradient through the normalisation; dw += Σ_rows dout ⊙ norm; db += Σ_rows dout.
     * Any of dx, dw, db may be null. One pass over the rows: each row's dx, then its share of dw
     * and db while the row is still in L1, into a partial sum per block of {@link #PARAM_ROWS}
     * rows; the partial sums are then added in block order (deterministic for any thread count).
     */
    public static void backward(float[] dout, int dOff, float[] x, int xOff, float[] w, int wOff,
                                float[] mean, float[] rstd, float[] dx, int dxOff,
                                float[] dw, int dwOff, float[] db, int dbOff, int rows, int cols) {
        boolean params = dw != null || db != null;
        int blocks = (rows + PARAM_ROWS - 1) / PARAM_ROWS;
        // per block: dw sums, then db sums; each block zeroes its own part
        float[] partial = params ? ThreadScratch.get(ThreadScratch.LAYERNORM_PARTIAL, blocks * 2 * cols) : null;
        Parallel.forRange(blocks, Math.max(1, grain(cols) / PARAM_ROWS), (from, to) -> {
            for (int blk = from; blk < to; blk++) {
                int pw = blk * 2 * cols, pb = pw + cols;
                if (params) java.util.Arrays.fill(partial, pw, pw + 2 * cols, 0f);
                for (int r = blk * PARAM_ROWS, end = Math.min(rows, r + PARAM_ROWS); r < end; r++) {
                    int o = r * cols;
                    if (Simd.ENABLED) {
                        if (dx != null) Vec.backwardRow(dout, dOff + o, x, xOff + o, w, wOff, mean[r], rstd[r], dx, dxOff + o, cols);
                        if (params) Vec.paramRow(dout, dOff + o, x, xOff + o, mean[r], rstd[r], partial, pw, partial, pb, cols);
                    } else {
                        if (dx != null) backwardRowScalar(dout, dOff + o, x, xOff + o, w, wOff, mean[r], rstd[r], dx, dxOff + o, cols);
                        if (params) paramRowScalar(dout, dOff + o, x, xOff + o, mean[r], rstd[r], partial, pw, partial, pb, cols);
                    }
                }
            }
        });
        if (!params) return;
        // Columns shared out, each column's partials added in block order whoever adds them.
        Parallel.forAlignedRange(cols, Math.max(1, REDUCE_FLOATS / (2 * blocks)), (c0, c1) -> {
            for (int blk = 0; blk < blocks; blk++) {
                if (dw != null) addInto(partial, blk * 2 * cols + c0, dw, dwOff + c0, c1 - c0);
                if (db != null) addInto(partial, blk * 2 * cols + cols + c0, db, dbOff + c0, c1 - c0);
            }
        });
    }

    /**
     * Fewest partial sums (floats) one thread adds into dw and db: below this a fork costs more
     * than the adds. GPT-2's 1024 × 768 has 49K of them, 4 µs of adds on one thread; on two
     * cores that share no cache, a fork and join plus reading the other core's partials took
     * 15–24 µs.
     */
    static final int REDUCE_FLOATS = 1 << 18;

    /** y[0, n) += x[0, n), on the calling thread. */
    private static void addInto(float[] x, int xOff, float[] y, int yOff, int n) {
        if (Simd.ENABLED) Elementwise.Vec.axpy(1f, x, xOff, y, yOff, n);
        else Elementwise.axpyScalar(1f, x, xOff, y, yOff, n);
    }

    public static void backwardRowScalar(float[] dout, int dOff, float[] x, int xOff, float[] w, int wOff,
                                         float mean, float rstd, float[] dx, int dxOff, int n) {
        double sumD = 0, sumDN = 0;
        for (int i = 0; i < n; i++) {
            float norm = (x[xOff + i] - mean) * rstd;
            float dnorm = dout[dOff + i] * w[wOff + i];
            sumD += dnorm;
            sumDN += dnorm * norm;
        }
        float meanD = (float) (sumD / n), meanDN = (float) (sumDN / n);
        for (int i = 0; i < n; i++) {
            float norm = (x[xOff + i] - mean) * rstd;
            float dnorm = dout[dOff + i] * w[wOff + i];
            dx[dxOff + i] += (dnorm - meanD - norm * meanDN) * rstd;
        }
    }

    public static void paramRowScalar(float[] dout, int dOff, float[] x, int xOff, float mean, float rstd,
                                      float[] dw, int dwOff, float[] db, int dbOff, int n) {
        for (int i = 0; i < n; i++) {
            if (dw != null) dw[dwOff + i] += dout[dOff + i] * (x[xOff + i] - mean) * rstd;
            if (db != null) db[dbOff + i] += dout[dOff + i];
        }
    }

    static final class Vec {
        static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

        private Vec() {}

        static void forwardRow(float[] x, int xOff, float[] w, int wOff, float[] b, int bOff,
                               float[] out, int outOff, float[] mean, float[] rstd, int r, int n, float eps) {
            int l = S.length(), bound = S.loopBound(n);
            // Two running sums per pass, so that the loops are not bound by the latency of one add chain.
            FloatVector acc0 = FloatVector.zero(S), acc1 = FloatVector.zero(S);
            int i = 0;
            for (; i + 2 * l <= bound; i += 2 * l) {
                acc0 = acc0.add(FloatVector.fromArray(S, x, xOff + i));
                acc1 = acc1.add(FloatVector.fromArray(S, x, xOff + i + l));
            }
            for (; i < bound; i += l) acc0 = acc0.add(FloatVector.fromArray(S, x, xOff + i));
            float s = Lanes.sum(acc0.add(acc1));
            for (; i < n; i++) s += x[xOff + i];
            float m = s / n;
            FloatVector var0 = FloatVector.zero(S), var1 = FloatVector.zero(S);
            for (i = 0; i + 2 * l <= bound; i += 2 * l) {
                FloatVector d0 = FloatVector.fromArray(S, x, xOff + i).sub(m);
                FloatVector d1 = FloatVector.fromArray(S, x, xOff + i + l).sub(m);
                var0 = d0.fma(d0, var0);
                var1 = d1.fma(d1, var1);
            }
            for (; i < bound; i += l) {
                FloatVector d = FloatVector.fromArray(S, x, xOff + i).sub(m);
                var0 = d.fma(d, var0);
            }
            float v = Lanes.sum(var0.add(var1));
            for (; i < n; i++) {
                float d = x[xOff + i] - m;
                v += d * d;
            }
            float rs = (float) (1.0 / Math.sqrt(v / n + eps));
            for (i = 0; i < bound; i += l) {
                FloatVector norm = FloatVector.fromArray(S, x, xOff + i).sub(m).mul(rs);
                norm.fma(FloatVector.fromArray(S, w, wOff + i), FloatVector.fromArray(S, b, bOff + i)).intoArray(out, outOff + i);
            }
            for (; i < n; i++) out[outOff + i] = (x[xOff + i] - m) * rs * w[wOff + i] + b[bOff + i];
            if (mean != null) mean[r] = m;
            if (rstd != null) rstd[r] = rs;
        }

        static void backwardRow(float[] dout, int dOff, float[] x, int xOff, float[] w, int wOff,
                                float mean, float rstd, float[] dx, int dxOff, int n) {
            int l = S.length(), bound = S.loopBound(n);
            FloatVector sd = FloatVector.zero(S), sdn = FloatVector.zero(S);
            int i = 0;
            for (; i < bound; i += l) {
                FloatVector norm = FloatVector.fromArray(S, x, xOff + i).sub(mean).mul(rstd);
                FloatVector dnorm = FloatVector.fromArray(S, dout, dOff + i).mul(FloatVector.fromArray(S, w, wOff + i));
                sd = sd.add(dnorm);
                sdn = dnorm.fma(norm, sdn);
            }
            float sumD = Lanes.sum(sd), sumDN = Lanes.sum(sdn);
            for (; i < n; i++) {
                float norm = (x[xOff + i] - mean) * rstd;
                float dnorm = dout[dOff + i] * w[wOff + i];
                sumD += dnorm;
                sumDN += dnorm * norm;
            }
            float meanD = sumD / n, meanDN = sumDN / n;
            for (i = 0; i < bound; i += l) {
                FloatVector norm = FloatVector.fromArray(S, x, xOff + i).sub(mean).mul(rstd);
                FloatVector dnorm = FloatVector.fromArray(S, dout, dOff + i).mul(FloatVector.fromArray(S, w, wOff + i));
                FloatVector g = dnorm.sub(meanD).sub(norm.mul(meanDN)).mul(rstd);
                g.add(FloatVector.fromArray(S, dx, dxOff + i)).intoArray(dx, dxOff + i);
            }
            for (; i < n; i++) {
                float norm = (x[xOff + i] - mean) * rstd;
                float dnorm = dout[dOff + i] * w[wOff + i];
                dx[dxOff + i] += (dnorm - meanD - norm * meanDN) * rstd;
            }
        }

        static void paramRow(float[] dout, int dOff, float[] x, int xOff, float mean, float rstd,
                             float[] dw, int dwOff, float[] db, int dbOff, int n) {
            int l = S.length(), bound = S.loopBound(n);
            int i = 0;
            for (; i < bound; i += l) {
                FloatVector d = FloatVector.fromArray(S, dout, dOff + i);
                if (dw != null) {
                    FloatVector norm = FloatVector.fromArray(S, x, xOff + i).sub(mean).mul(rstd);
                    d.fma(norm, FloatVector.fromArray(S, dw, dwOff + i)).intoArray(dw, dwOff + i);
                }
                if (db != null) d.add(FloatVector.fromArray(S, db, dbOff + i)).intoArray(db, dbOff + i);
            }
            paramRowScalar(dout, dOff + i, x, xOff + i, mean, rstd, dw, dwOff + i, db, dbOff + i, n - i);
        }
    }
}
