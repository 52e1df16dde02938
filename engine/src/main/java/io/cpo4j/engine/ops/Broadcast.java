package io.cpo4j.engine.ops;

import io.cpo4j.engine.Shape;

import java.util.Arrays;

/**
 * NumPy broadcasting for the binary ops: shapes align on the right, and a dimension of 1 (or a
 * missing leading one) stretches. {@link #expand} materialises an operand at the result shape and
 * {@link #sumTo} folds a gradient back onto the operand's shape, summing in a fixed order.
 */
final class Broadcast {

    private Broadcast() {}

    /** The broadcast result shape, or an error naming the op and both shapes. */
    static int[] shape(String op, int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            int db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(op + ": shapes " + Shape.str(a) + " and " + Shape.str(b) + " do not broadcast");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /**
     * If {@code small} broadcasts onto {@code big} by repeating it whole (its shape, after leading
     * ones are dropped, is a suffix of big's), the number of repeats; otherwise −1.
     */
    static int repeats(int[] small, int[] big) {
        int first = 0;
        while (first < small.length && small[first] == 1) first++;
        int n = small.length - first;
        if (n > big.length) return -1;
        for (int i = 0; i < n; i++) if (small[first + i] != big[big.length - n + i]) return -1;
        return Shape.numel(big) / Math.max(1, Shape.prod(small, first, small.length));
    }

    /** Strides (in elements) of a row-major shape aligned right to {@code rank}, 0 where it broadcasts. */
    private static int[] strides(int[] shape, int[] outShape) {
        int rank = outShape.length;
        int[] st = new int[rank];
        int s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            int o = i + rank - shape.length;
            st[o] = shape[i] == 1 && outShape[o] != 1 ? 0 : s;
            s *= shape[i];
        }
        return st;
    }

    /** x (row-major, shape) stretched to outShape. */
    static float[] expand(float[] x, int xOff, int[] shape, int[] outShape) {
        int n = Shape.numel(outShape);
        float[] out = new float[n];
        int[] st = strides(shape, outShape);
        int[] idx = new int[outShape.length];
        int src = 0;
        for (int i = 0; i < n; i++) {
            out[i] = x[xOff + src];
            for (int d = outShape.length - 1; d >= 0; d--) {
                idx[d]++;
                src += st[d];
                if (idx[d] < outShape[d]) break;
                src -= st[d] * outShape[d];
                idx[d] = 0;
            }
        }
        return out;
    }

    /** target[..] += g summed over the dimensions where target's shape broadcasts to g's. */
    static void sumTo(float[] g, int gOff, int[] gShape, float[] target, int tOff, int[] shape) {
        int n = Shape.numel(gShape);
        int[] st = strides(shape, gShape);
        int[] idx = new int[gShape.length];
        int dst = 0;
        for (int i = 0; i < n; i++) {
            target[tOff + dst] += g[gOff + i];
            for (int d = gShape.length - 1; d >= 0; d--) {
                idx[d]++;
                dst += st[d];
                if (idx[d] < gShape[d]) break;
                dst -= st[d] * gShape[d];
                idx[d] = 0;
            }
        }
    }

    static boolean same(int[] a, int[] b) {
        return Arrays.equals(a, b);
    }
}
