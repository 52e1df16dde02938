package io.cpo4j.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * RMS normalisation over the rows of a (rows, cols) matrix, as HF's {@code LlamaRMSNorm} in
 * float32: {@code out = (x · rstd) · w} with {@code rstd = 1/sqrt(mean(x²) + eps)}; no mean is
 * subtracted and there is no bias. Forward saves rstd per row for the backward.
 */
public final class RmsNormKernel {

    private RmsNormKernel() {}

    private static int grain(int cols) {
        return Math.max(1, (1 << 14) / Math.max(1, cols));
    }

    /** Normalises every row; {@code rstd} (length rows) may be null when not needed. */
    public static void forward(float[] x, int xOff, float[] w, int wOff, float[] out, int outOff,
                               float[] rstd, int rows, int cols, float eps) {
        Parallel.forChunks(rows, grain(cols), (from, to) -> {
            for (int r = from; r < to; r++) {
                if (Simd.ENABLED) Vec.forwardRow(x, xOff + r * cols, w, wOff, out, outOff + r * cols, rstd, r, cols, eps);
                else forwardRowScalar(x, xOff + r * cols, w, wOff, out, outOff + r * cols, rstd, r, cols, eps);
            }
        });
    }

    public static void forwardRowScalar(float[] x, int xOff, float[] w, int wOff, float[] out, int outOff,
                                        float[] rstd, int r, int n, float eps) {
        double ss = 0;
        for (int i = 0; i < n; i++) ss += x[xOff + i] * x[xOff + i];
        float rs = (float) (1.0 / Math.sqrt(ss / n + eps));
        for (int i = 0; i < n; i++) out[outOff + i] = x[xOff + i] * rs * w[wOff + i];
        if (rstd != null) rstd[r] = rs;
    }

    /** Rows per partial sum of dw: fixed, so that the sums do not depend on the thread count. */
    static final int PARAM_ROWS = 32;

    /**
     * dx += the gradient through the normalisation, {@code (dnorm − norm · mean(dnorm ⊙ norm)) · rstd}
     * with norm = x·rstd and dnorm = dout ⊙ w; dw += Σ_rows dout ⊙ norm. Either of dx, dw may be
     * null. dw is summed as {@link LayerNormKernel}'s: a partial sum per block of
     * {@link #PARAM_ROWS} rows, the partials added in block order (deterministic for any thread count).
     */
    public static void backward(float[] dout, int dOff, float[] x, int xOff, float[] w, int wOff, float[] rstd,
                                float[] dx, int dxOff, float[] dw, int dwOff, int rows, int cols) {
        boolean params = dw != null;
        int blocks = (rows + PARAM_ROWS - 1) / PARAM_ROWS;
        float[] partial = params ? ThreadScratch.get(ThreadScratch.RMSNORM_PARTIAL, blocks * cols) : null;   // (blocks, cols)
        Parallel.forRange(blocks, Math.max(1, grain(cols) / PARAM_ROWS), (from, to) -> {
            for (int blk = from; blk < to; blk++) {
                int pw = blk * cols;
                if (params) java.util.Arrays.fill(partial, pw, pw + cols, 0f);
                for (int r = blk * PARAM_ROWS, end = Math.min(rows, r + PARAM_ROWS); r < end; r++) {
                    int o = r * cols;
                    if (Simd.ENABLED) {
                        if (dx != null) Vec.backwardRow(dout, dOff + o, x, xOff + o, w, wOff, rstd[r], dx, dxOff + o, cols);
                        if (params) Vec.paramRow(dout, dOff + o, x, xOff + o, rstd[r], partial, pw, cols);
                    } else {
                        if (dx != null) backwardRowScalar(dout, dOff + o, x, xOff + o, w, wOff, rstd[r], dx, dxOff + o, cols);
                        if (params) paramRowScalar(dout, dOff + o, x, xOff + o, rstd[r], partial, pw, cols);
                    }
                }
            }
        });
        if (!params) return;
        for (int blk = 0; blk < blocks; blk++) Elementwise.axpy(1f, partial, blk * cols, dw, dwOff, cols);
    }

    public static void backwardRowScalar(float[] dout, int dOff, float[] x, int xOff, float[] w, int wOff,
                                         float rstd, float[] dx, int dxOff, int n) {
        double sumDN = 0;
        for (int i = 0; i < n; i++) sumDN += dout[dOff + i] * w[wOff + i] * (x[xOff + i] * rstd);
        float meanDN = (float) (sumDN / n);
        for (int i = 0; i < n; i++) {
            float norm = x[xOff + i] * rstd;
            float dnorm = dout[dOff + i] * w[wOff + i];
            dx[dxOff + i] += (dnorm - norm * meanDN) * rstd;
        }
    }

    public static void paramRowScalar(float[] dout, int dOff, float[] x, int xOff, float rstd, float[] dw, int dwOff, int n) {
        for (int i = 0; i < n; i++) dw[dwOff + i] += dout[dOff + i] * (x[xOff + i] * rstd);
    }

    static final class Vec {
        static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

        private Vec() {}

        static void forwardRow(float[] x, int xOff, float[] w, int wOff, float[] out, int outOff,
                               float[] rstd, int r, int n, float eps) {
            int l = S.length(), bound = S.loopBound(n);
            // Two running sums, so that the loop is not bound by the latency of one add chain.
            FloatVector acc0 = FloatVector.zero(S), acc1 = FloatVector.zero(S);
            int i = 0;
            for (; i + 2 * l <= bound; i += 2 * l) {
                FloatVector x0 = FloatVector.fromArray(S, x, xOff + i), x1 = FloatVector.fromArray(S, x, xOff + i + l);
                acc0 = x0.fma(x0, acc0);
                acc1 = x1.fma(x1, acc1);
            }
            for (; i < bound; i += l) {
                FloatVector x0 = FloatVector.fromArray(S, x, xOff + i);
                acc0 = x0.fma(x0, acc0);
            }
            float ss = Lanes.sum(acc0.add(acc1));
            for (; i < n; i++) ss += x[xOff + i] * x[xOff + i];
            float rs = (float) (1.0 / Math.sqrt((double) ss / n + eps));
            for (i = 0; i < bound; i += l) {
                FloatVector.fromArray(S, x, xOff + i).mul(rs).mul(FloatVector.fromArray(S, w, wOff + i)).intoArray(out, outOff + i);
            }
            for (; i < n; i++) out[outOff + i] = x[xOff + i] * rs * w[wOff + i];
            if (rstd != null) rstd[r] = rs;
        }

        static void backwardRow(float[] dout, int dOff, float[] x, int xOff, float[] w, int wOff,
                                float rstd, float[] dx, int dxOff, int n) {
            int l = S.length(), bound = S.loopBound(n);
            FloatVector sdn = FloatVector.zero(S);
            int i = 0;
            for (; i < bound; i += l) {
                FloatVector norm = FloatVector.fromArray(S, x, xOff + i).mul(rstd);
                FloatVector dnorm = FloatVector.fromArray(S, dout, dOff + i).mul(FloatVector.fromArray(S, w, wOff + i));
                sdn = dnorm.fma(norm, sdn);
            }
            float sumDN = Lanes.sum(sdn);
            for (; i < n; i++) sumDN += dout[dOff + i] * w[wOff + i] * (x[xOff + i] * rstd);
            float meanDN = sumDN / n;
            for (i = 0; i < bound; i += l) {
                FloatVector norm = FloatVector.fromArray(S, x, xOff + i).mul(rstd);
                FloatVector dnorm = FloatVector.fromArray(S, dout, dOff + i).mul(FloatVector.fromArray(S, w, wOff + i));
                FloatVector g = dnorm.sub(norm.mul(meanDN)).mul(rstd);
                g.add(FloatVector.fromArray(S, dx, dxOff + i)).intoArray(dx, dxOff + i);
            }
            for (; i < n; i++) {
                float norm = x[xOff + i] * rstd;
                float dnorm = dout[dOff + i] * w[wOff + i];
                dx[dxOff + i] += (dnorm - norm * meanDN) * rstd;
            }
        }

        static void paramRow(float[] dout, int dOff, float[] x, int xOff, float rstd, float[] dw, int dwOff, int n) {
            int l = S.length(), bound = S.loopBound(n);
            int i = 0;
            for (; i < bound; i += l) {
                FloatVector norm = FloatVector.fromArray(S, x, xOff + i).mul(rstd);
                FloatVector.fromArray(S, dout, dOff + i).fma(norm, FloatVector.fromArray(S, dw, dwOff + i)).intoArray(dw, dwOff + i);
            }
            paramRowScalar(dout, dOff + i, x, xOff + i, rstd, dw, dwOff + i, n - i);
        }
    }
}
