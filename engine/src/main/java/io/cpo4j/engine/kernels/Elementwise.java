package io.cpo4j.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * Element-by-element loops over float arrays: the arithmetic ops' forward and backward, and the
 * accumulations ({@code y += a·x}) that every backward pass ends with.
 */
public final class Elementwise {

    /**
     * Elements per task when a loop is shared across threads (below it, not worth splitting). A
     * multiple of {@link Parallel#ALIGN}: every task starts on a vector boundary, so each element
     * falls on the same side of a vector loop's scalar tail whatever the thread count.
     */
    static final int PARALLEL_GRAIN = 1 << 15;

    private Elementwise() {}

    /** The binary operations of the arithmetic ops. */
    public enum Op { ADD, SUB, MUL, DIV }

    /** out[i] = a[i] (op) b[i]. */
    public static void binary(Op op, float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n) {
        Parallel.forChunks(n, PARALLEL_GRAIN, (from, to) -> {
            if (Simd.ENABLED) Vec.binary(op, a, aOff + from, b, bOff + from, out, outOff + from, to - from);
            else binaryScalar(op, a, aOff + from, b, bOff + from, out, outOff + from, to - from);
        });
    }

    public static void binaryScalar(Op op, float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n) {
        switch (op) {
            case ADD -> { for (int i = 0; i < n; i++) out[outOff + i] = a[aOff + i] + b[bOff + i]; }
            case SUB -> { for (int i = 0; i < n; i++) out[outOff + i] = a[aOff + i] - b[bOff + i]; }
            case MUL -> { for (int i = 0; i < n; i++) out[outOff + i] = a[aOff + i] * b[bOff + i]; }
            case DIV -> { for (int i = 0; i < n; i++) out[outOff + i] = a[aOff + i] / b[bOff + i]; }
        }
    }

    /** y[i] += alpha · x[i]. */
    public static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        Parallel.forChunks(n, PARALLEL_GRAIN, (from, to) -> {
            if (Simd.ENABLED) Vec.axpy(alpha, x, xOff + from, y, yOff + from, to - from);
            else axpyScalar(alpha, x, xOff + from, y, yOff + from, to - from);
        });
    }

    public static void axpyScalar(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) y[yOff + i] += alpha * x[xOff + i];
    }

    /** x[i] = value, shared across threads: a large buffer fills faster from two cores. */
    public static void fill(float value, float[] x, int off, int n) {
        Parallel.forChunks(n, PARALLEL_GRAIN, (from, to) -> Arrays.fill(x, off + from, off + to, value));
    }

    /** out[i] = s · x[i]. */
    public static void scale(float s, float[] x, int xOff, float[] out, int outOff, int n) {
        Parallel.forChunks(n, PARALLEL_GRAIN, (from, to) -> {
            if (Simd.ENABLED) Vec.scale(s, x, xOff + from, out, outOff + from, to - from);
            else scaleScalar(s, x, xOff + from, out, outOff + from, to - from);
        });
    }

    public static void scaleScalar(float s, float[] x, int xOff, float[] out, int outOff, int n) {
        for (int i = 0; i < n; i++) out[outOff + i] = s * x[xOff + i];
    }

    /** y[i] += a[i] · b[i] (the backward of a product). */
    public static void mulAdd(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n) {
        Parallel.forChunks(n, PARALLEL_GRAIN, (from, to) -> {
            if (Simd.ENABLED) Vec.mulAdd(a, aOff + from, b, bOff + from, y, yOff + from, to - from);
            else mulAddScalar(a, aOff + from, b, bOff + from, y, yOff + from, to - from);
        });
    }

    public static void mulAddScalar(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) y[yOff + i] += a[aOff + i] * b[bOff + i];
    }

    /** The backward of a quotient q = a / b: ga[i] += g[i] / b[i]; gb[i] −= g[i] · a[i] / b[i]² (either may be null). */
    public static void divBackward(float[] g, int gOff, float[] a, int aOff, float[] b, int bOff,
                                   float[] ga, int gaOff, float[] gb, int gbOff, int n) {
        Parallel.forChunks(n, PARALLEL_GRAIN, (from, to) -> {
            if (Simd.ENABLED) Vec.divBackward(g, gOff + from, a, aOff + from, b, bOff + from, ga, gaOff + from, gb, gbOff + from, to - from);
            else divBackwardScalar(g, gOff + from, a, aOff + from, b, bOff + from, ga, gaOff + from, gb, gbOff + from, to - from);
        });
    }

    public static void divBackwardScalar(float[] g, int gOff, float[] a, int aOff, float[] b, int bOff,
                                         float[] ga, int gaOff, float[] gb, int gbOff, int n) {
        for (int i = 0; i < n; i++) {
            float q = g[gOff + i] / b[bOff + i];
            if (ga != null) ga[gaOff + i] += q;
            if (gb != null) gb[gbOff + i] -= q * a[aOff + i] / b[bOff + i];
        }
    }

    /** out[c] += Σ_r x[r·cols + c]: column sums of a (rows, cols) matrix, rows in order (deterministic). */
    public static void sumRowsInto(float[] x, int xOff, int rows, int cols, float[] out, int outOff) {
        Parallel.forAlignedRange(cols, Math.max(1, PARALLEL_GRAIN / Math.max(1, rows)), (from, to) -> {
            for (int r = 0; r < rows; r++) {
                int row = xOff + r * cols;
                if (Simd.ENABLED) Vec.axpy(1f, x, row + from, out, outOff + from, to - from);
                else axpyScalar(1f, x, row + from, out, outOff + from, to - from);
            }
        });
    }

    /** Σ x[i]² in double, summed in fixed blocks (deterministic for any thread count). */
    public static double sumOfSquares(float[] x, int off, int n) {
        final int block = 4096;
        int blocks = (n + block - 1) / block;
        double[] partial = new double[blocks];
        Parallel.forRange(blocks, 8, (from, to) -> {
            for (int bi = from; bi < to; bi++) {
                int start = off + bi * block, len = Math.min(block, n - bi * block);
                partial[bi] = Simd.ENABLED ? Vec.sumOfSquares(x, start, len) : sumOfSquaresScalar(x, start, len);
            }
        });
        double total = 0;
        for (double p : partial) total += p;
        return total;
    }

    public static double sumOfSquaresScalar(float[] x, int off, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s += (double) x[off + i] * x[off + i];
        return s;
    }

    static final class Vec {
        static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

        private Vec() {}

        static void binary(Op op, float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n) {
            int i = 0, bound = S.loopBound(n), l = S.length();
            switch (op) {
                case ADD -> { for (; i < bound; i += l) FloatVector.fromArray(S, a, aOff + i).add(FloatVector.fromArray(S, b, bOff + i)).intoArray(out, outOff + i); }
                case SUB -> { for (; i < bound; i += l) FloatVector.fromArray(S, a, aOff + i).sub(FloatVector.fromArray(S, b, bOff + i)).intoArray(out, outOff + i); }
                case MUL -> { for (; i < bound; i += l) FloatVector.fromArray(S, a, aOff + i).mul(FloatVector.fromArray(S, b, bOff + i)).intoArray(out, outOff + i); }
                case DIV -> { for (; i < bound; i += l) FloatVector.fromArray(S, a, aOff + i).div(FloatVector.fromArray(S, b, bOff + i)).intoArray(out, outOff + i); }
            }
            binaryScalar(op, a, aOff + i, b, bOff + i, out, outOff + i, n - i);
        }

        static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
            FloatVector a = FloatVector.broadcast(S, alpha);
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += S.length()) {
                FloatVector.fromArray(S, x, xOff + i).fma(a, FloatVector.fromArray(S, y, yOff + i)).intoArray(y, yOff + i);
            }
            axpyScalar(alpha, x, xOff + i, y, yOff + i, n - i);
        }

        static void scale(float s, float[] x, int xOff, float[] out, int outOff, int n) {
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += S.length()) {
                FloatVector.fromArray(S, x, xOff + i).mul(s).intoArray(out, outOff + i);
            }
            scaleScalar(s, x, xOff + i, out, outOff + i, n - i);
        }

        static void mulAdd(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n) {
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += S.length()) {
                FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), FloatVector.fromArray(S, y, yOff + i))
                        .intoArray(y, yOff + i);
            }
            mulAddScalar(a, aOff + i, b, bOff + i, y, yOff + i, n - i);
        }

        static void divBackward(float[] g, int gOff, float[] a, int aOff, float[] b, int bOff,
                                float[] ga, int gaOff, float[] gb, int gbOff, int n) {
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += S.length()) {
                FloatVector bv = FloatVector.fromArray(S, b, bOff + i);
                FloatVector q = FloatVector.fromArray(S, g, gOff + i).div(bv);
                if (ga != null) q.add(FloatVector.fromArray(S, ga, gaOff + i)).intoArray(ga, gaOff + i);
                if (gb != null) {
                    FloatVector d = q.mul(FloatVector.fromArray(S, a, aOff + i)).div(bv);
                    FloatVector.fromArray(S, gb, gbOff + i).sub(d).intoArray(gb, gbOff + i);
                }
            }
            divBackwardScalar(g, gOff + i, a, aOff + i, b, bOff + i, ga, gaOff + i, gb, gbOff + i, n - i);
        }

        static double sumOfSquares(float[] x, int off, int n) {
            FloatVector acc = FloatVector.zero(S);
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += S.length()) {
                FloatVector v = FloatVector.fromArray(S, x, off + i);
                acc = v.fma(v, acc);
            }
            double s = Lanes.sum(acc);
            return s + sumOfSquaresScalar(x, off + i, n - i);
        }
    }
}
