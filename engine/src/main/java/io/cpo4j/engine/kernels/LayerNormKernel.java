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
        Parallel.forRange(rows, grain(cols), (from, to) -> {
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

    /**
     * dx += the gradient through the normalisation; dw += Σ_rows dout ⊙ norm; db += Σ_rows dout.
     * Any of dx, dw, db may be null. dw and db are summed over rows in order (deterministic).
     */
    public static void backward(float[] dout, int dOff, float[] x, int xOff, float[] w, int wOff,
                                float[] mean, float[] rstd, float[] dx, int dxOff,
                                float[] dw, int dwOff, float[] db, int dbOff, int rows, int cols) {
        if (dx != null) {
            Parallel.forRange(rows, grain(cols), (from, to) -> {
                for (int r = from; r < to; r++) {
                    if (Simd.ENABLED) Vec.backwardRow(dout, dOff + r * cols, x, xOff + r * cols, w, wOff, mean[r], rstd[r], dx, dxOff + r * cols, cols);
                    else backwardRowScalar(dout, dOff + r * cols, x, xOff + r * cols, w, wOff, mean[r], rstd[r], dx, dxOff + r * cols, cols);
                }
            });
        }
        if (dw != null || db != null) {
            Parallel.forAlignedRange(cols, Math.max(16, (1 << 14) / Math.max(1, rows)), (from, to) -> {
                for (int r = 0; r < rows; r++) {
                    int o = r * cols + from;
                    if (Simd.ENABLED) Vec.paramRow(dout, dOff + o, x, xOff + o, mean[r], rstd[r], dw, dwOff + from, db, dbOff + from, to - from);
                    else paramRowScalar(dout, dOff + o, x, xOff + o, mean[r], rstd[r], dw, dwOff + from, db, dbOff + from, to - from);
                }
            });
        }
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
