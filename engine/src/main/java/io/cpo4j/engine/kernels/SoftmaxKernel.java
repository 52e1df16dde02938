package io.cpo4j.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Stable softmax and log-softmax over the rows of a (rows, cols) matrix, forward and backward.
 * Forward is three passes per row (max; exp and sum; scale) while the row stays in L1; a pass over
 * the whole matrix per step would go to memory three times instead.
 */
public final class SoftmaxKernel {

    private SoftmaxKernel() {}

    private static int grain(int cols) {
        return Math.max(1, (1 << 14) / Math.max(1, cols));
    }

    /** out[r,:] = exp(x[r,:] − max) / Σ exp(x[r,:] − max). */
    public static void forward(float[] x, int xOff, float[] out, int outOff, int rows, int cols) {
        Parallel.forChunks(rows, grain(cols), (from, to) -> {
            for (int r = from; r < to; r++) {
                if (Simd.ENABLED) Vec.softmaxRow(x, xOff + r * cols, out, outOff + r * cols, cols);
                else softmaxRowScalar(x, xOff + r * cols, out, outOff + r * cols, cols);
            }
        });
    }

    public static void softmaxRowScalar(float[] x, int xOff, float[] out, int outOff, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, x[xOff + i]);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float e = (float) StrictMath.exp(x[xOff + i] - max);
            out[outOff + i] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (int i = 0; i < n; i++) out[outOff + i] *= inv;
    }

    /** out[r,:] = x[r,:] − max − log Σ exp(x[r,:] − max). */
    public static void logForward(float[] x, int xOff, float[] out, int outOff, int rows, int cols) {
        Parallel.forChunks(rows, grain(cols), (from, to) -> {
            for (int r = from; r < to; r++) {
                float lse = Simd.ENABLED ? Vec.logSumExp(x, xOff + r * cols, cols) : logSumExpScalar(x, xOff + r * cols, cols);
                if (Simd.ENABLED) Vec.addConstant(x, xOff + r * cols, -lse, out, outOff + r * cols, cols);
                else for (int i = 0; i < cols; i++) out[outOff + r * cols + i] = x[xOff + r * cols + i] - lse;
            }
        });
    }

    /** log Σ exp(x[i]) over one row, stably. */
    public static float logSumExp(float[] x, int off, int n) {
        return Simd.ENABLED ? Vec.logSumExp(x, off, n) : logSumExpScalar(x, off, n);
    }

    public static float logSumExpScalar(float[] x, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, x[off + i]);
        if (max == Float.NEGATIVE_INFINITY) return max;
        double sum = 0;
        for (int i = 0; i < n; i++) sum += StrictMath.exp(x[off + i] - max);
        return (float) (max + StrictMath.log(sum));
    }

    /** dx[r,:] += y ⊙ (dy − ⟨dy, y⟩), y the softmax output. */
    public static void backward(float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff, int rows, int cols) {
        Parallel.forChunks(rows, grain(cols), (from, to) -> {
            for (int r = from; r < to; r++) {
                int o = r * cols;
                if (Simd.ENABLED) Vec.backwardRow(y, yOff + o, dy, dyOff + o, dx, dxOff + o, cols);
                else backwardRowScalar(y, yOff + o, dy, dyOff + o, dx, dxOff + o, cols);
            }
        });
    }

    public static void backwardRowScalar(float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        double dot = 0;
        for (int i = 0; i < n; i++) dot += (double) y[yOff + i] * dy[dyOff + i];
        float d = (float) dot;
        for (int i = 0; i < n; i++) dx[dxOff + i] += y[yOff + i] * (dy[dyOff + i] - d);
    }

    /** dx[r,:] += dy − exp(y) · Σ dy, y the log-softmax output. */
    public static void logBackward(float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff, int rows, int cols) {
        Parallel.forChunks(rows, grain(cols), (from, to) -> {
            for (int r = from; r < to; r++) {
                int o = r * cols;
                if (Simd.ENABLED) Vec.logBackwardRow(y, yOff + o, dy, dyOff + o, dx, dxOff + o, cols);
                else logBackwardRowScalar(y, yOff + o, dy, dyOff + o, dx, dxOff + o, cols);
            }
        });
    }

    public static void logBackwardRowScalar(float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        double sum = 0;
        for (int i = 0; i < n; i++) sum += dy[dyOff + i];
        float s = (float) sum;
        for (int i = 0; i < n; i++) dx[dxOff + i] += dy[dyOff + i] - (float) StrictMath.exp(y[yOff + i]) * s;
    }

    static final class Vec {
        static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

        private Vec() {}

        /** Largest element; four running maxima so that the loop is not bound by the latency of one. */
        static float max(float[] x, int off, int n) {
            int l = S.length(), i = 0;
            float max = Float.NEGATIVE_INFINITY;
            if (n >= 4 * l) {
                FloatVector m0 = FloatVector.fromArray(S, x, off), m1 = FloatVector.fromArray(S, x, off + l);
                FloatVector m2 = FloatVector.fromArray(S, x, off + 2 * l), m3 = FloatVector.fromArray(S, x, off + 3 * l);
                for (i = 4 * l; i <= n - 4 * l; i += 4 * l) {
                    m0 = VectorMax.of(m0, FloatVector.fromArray(S, x, off + i));
                    m1 = VectorMax.of(m1, FloatVector.fromArray(S, x, off + i + l));
                    m2 = VectorMax.of(m2, FloatVector.fromArray(S, x, off + i + 2 * l));
                    m3 = VectorMax.of(m3, FloatVector.fromArray(S, x, off + i + 3 * l));
                }
                for (; i <= n - l; i += l) m0 = VectorMax.of(m0, FloatVector.fromArray(S, x, off + i));
                // max is exact, so the order of this reduction cannot change the result
                max = VectorMax.of(VectorMax.of(m0, m1), VectorMax.of(m2, m3)).reduceLanes(VectorOperators.MAX);
            } else if (n >= l) {
                FloatVector m = FloatVector.fromArray(S, x, off);
                for (i = l; i <= n - l; i += l) m = VectorMax.of(m, FloatVector.fromArray(S, x, off + i));
                max = m.reduceLanes(VectorOperators.MAX);
            }
            for (; i < n; i++) max = Math.max(max, x[off + i]);
            return max;
        }

        /** One fused row: max; exp(x − max) stored and summed; scaled by 1/sum. Three passes, the row in L1. */
        static void softmaxRow(float[] x, int xOff, float[] out, int outOff, int n) {
            float max = max(x, xOff, n);
            float sum = expAndSum(x, xOff, out, outOff, n, max);
            scale(out, outOff, n, 1f / sum);
        }

        /** out = exp(x − shift), returning Σ out (lanes summed in a fixed order). */
        static float expAndSum(float[] x, int xOff, float[] out, int outOff, int n, float shift) {
            FloatVector sumV = FloatVector.zero(S);
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += S.length()) {
                FloatVector e = Exp.Vec.expShifted(FloatVector.fromArray(S, x, xOff + i).sub(shift));
                e.intoArray(out, outOff + i);
                sumV = sumV.add(e);
            }
            float sum = Lanes.sum(sumV);
            for (; i < n; i++) {
                float e = Exp.exp(x[xOff + i] - shift);
                out[outOff + i] = e;
                sum += e;
            }
            return sum;
        }

        static void scale(float[] out, int off, int n, float s) {
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += S.length()) {
                FloatVector.fromArray(S, out, off + i).mul(s).intoArray(out, off + i);
            }
            for (; i < n; i++) out[off + i] *= s;
        }

        static float logSumExp(float[] x, int off, int n) {
            float max = max(x, off, n);
            if (max == Float.NEGATIVE_INFINITY) return max;
            FloatVector sumV = FloatVector.zero(S);
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += S.length()) {
                sumV = sumV.add(Exp.Vec.expShifted(FloatVector.fromArray(S, x, off + i).sub(max)));
            }
            float sum = Lanes.sum(sumV);
            for (; i < n; i++) sum += Exp.exp(x[off + i] - max);
            return max + (float) StrictMath.log(sum);
        }

        static void addConstant(float[] x, int xOff, float c, float[] out, int outOff, int n) {
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += S.length()) {
                FloatVector.fromArray(S, x, xOff + i).add(c).intoArray(out, outOff + i);
            }
            for (; i < n; i++) out[outOff + i] = x[xOff + i] + c;
        }

        static void backwardRow(float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
            float d = VectorDot.of(y, yOff, dy, dyOff, n);
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += S.length()) {
                FloatVector yv = FloatVector.fromArray(S, y, yOff + i);
                FloatVector g = FloatVector.fromArray(S, dy, dyOff + i).sub(d);
                yv.fma(g, FloatVector.fromArray(S, dx, dxOff + i)).intoArray(dx, dxOff + i);
            }
            for (; i < n; i++) dx[dxOff + i] += y[yOff + i] * (dy[dyOff + i] - d);
        }

        static void logBackwardRow(float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
            FloatVector acc = FloatVector.zero(S);
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += S.length()) acc = acc.add(FloatVector.fromArray(S, dy, dyOff + i));
            float s = Lanes.sum(acc);
            for (; i < n; i++) s += dy[dyOff + i];
            FloatVector negS = FloatVector.broadcast(S, -s);
            i = 0;
            for (int bound = S.loopBound(n); i < bound; i += S.length()) {
                FloatVector p = Exp.Vec.expShifted(FloatVector.fromArray(S, y, yOff + i));   // y ≤ 0: a log-probability
                FloatVector base = FloatVector.fromArray(S, dx, dxOff + i).add(FloatVector.fromArray(S, dy, dyOff + i));
                p.fma(negS, base).intoArray(dx, dxOff + i);
            }
            for (; i < n; i++) dx[dxOff + i] += dy[dyOff + i] - Exp.exp(y[yOff + i]) * s;
        }
    }
}
