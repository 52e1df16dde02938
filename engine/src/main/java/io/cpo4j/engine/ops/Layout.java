package io.cpo4j.engine.ops;

import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.Shape;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.kernels.Elementwise;

/**
 * Ops that move no arithmetic, only layout: reshape, transpose of the last two dimensions,
 * slicing along the first, and making a transposed view contiguous. Gradients are stored in
 * logical order, so reshape, slice and contiguous pass them back unchanged.
 */
public final class Layout {

    private Layout() {}

    // ---------------------------------------------------------------- reshape

    public static Tensor reshape(Tensor x, int... requested) {
        int[] shape = resolve(x, requested);
        Tensor out = x.isContiguous()
                ? Tensor.over(x.data(), x.offset(), shape, false)
                : Tensor.over(x.toArray(), 0, shape, false);
        return Autograd.record("reshape", out, () -> passBack(out, x), x);
    }

    /** x.grad += out.grad, element for element in logical order. */
    static void passBack(Tensor out, Tensor x) {
        if (x.requiresGrad()) Elementwise.axpy(1f, out.gradBuffer(), out.gradOffset(), x.gradBuffer(), x.gradOffset(), x.size());
    }

    private static int[] resolve(Tensor x, int[] requested) {
        int[] shape = requested.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException("reshape: more than one -1 in " + Shape.str(requested));
                infer = i;
            } else if (shape[i] < 0) {
                throw new IllegalArgumentException("reshape: negative dimension in " + Shape.str(requested));
            } else {
                known *= shape[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || x.size() % known != 0) {
                throw new IllegalArgumentException("reshape: cannot reshape " + Shape.str(x.shape()) + " into " + Shape.str(requested));
            }
            shape[infer] = (int) (x.size() / known);
        } else if (known != x.size()) {
            throw new IllegalArgumentException("reshape: cannot reshape " + Shape.str(x.shape()) + " (" + x.size() + " elements) into " + Shape.str(requested));
        }
        return shape;
    }

    // ---------------------------------------------------------------- transpose

    /** Swaps the last two dimensions as a view of the same storage. */
    public static Tensor transpose(Tensor x) {
        int[] s = x.shape();
        if (s.length < 2) throw new IllegalArgumentException("transpose: needs rank >= 2, got shape " + Shape.str(s));
        int r = s.length;
        int tmp = s[r - 1];
        s[r - 1] = s[r - 2];
        s[r - 2] = tmp;
        Tensor out = Tensor.over(x.data(), x.offset(), s, !x.isTransposed());
        return Autograd.record("transpose", out, () -> transposeBack(out, x), x);
    }

    /** x.grad (.., R, C) += transpose of out.grad (.., C, R). */
    private static void transposeBack(Tensor out, Tensor x) {
        if (!x.requiresGrad()) return;
        int[] s = x.shape();
        int rows = s[s.length - 2], cols = s[s.length - 1];
        int batch = x.size() / Math.max(1, rows * cols);
        float[] g = out.gradBuffer(), gx = x.gradBuffer();
        int go = out.gradOffset(), gxo = x.gradOffset();
        for (int b = 0; b < batch; b++) {
            int base = b * rows * cols;
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) gx[gxo + base + r * cols + c] += g[go + base + c * rows + r];
            }
        }
    }

    // ---------------------------------------------------------------- slice

    /** Rows [from, to) of the first dimension; a view when the storage allows. */
    public static Tensor slice(Tensor x, int from, int to) {
        int[] s = x.shape();
        if (s.length == 0) throw new IllegalArgumentException("slice: cannot slice a rank-0 tensor");
        if (from < 0 || to > s[0] || from > to) {
            throw new IndexOutOfBoundsException("slice: range [" + from + ", " + to + ") out of bounds for shape " + Shape.str(s));
        }
        int inner = Shape.prod(s, 1, s.length);
        s[0] = to - from;
        Tensor out;
        if (x.isContiguous()) {
            out = Tensor.over(x.data(), x.offset() + from * inner, s, false);
        } else if (s.length >= 3) {
            out = Tensor.over(x.data(), x.offset() + from * inner, s, true);
        } else {
            float[] all = x.toArray();
            out = Tensor.over(java.util.Arrays.copyOfRange(all, from * inner, to * inner), 0, s, false);
        }
        return Autograd.record("slice", out, () -> {
            if (x.requiresGrad()) Elementwise.axpy(1f, out.gradBuffer(), out.gradOffset(), x.gradBuffer(), x.gradOffset() + from * inner, out.size());
        }, x);
    }

    // ---------------------------------------------------------------- contiguous

    public static Tensor contiguous(Tensor x) {
        if (x.isContiguous()) return x;
        Tensor out = Tensor.over(x.toArray(), 0, x.shape(), false);
        return Autograd.record("contiguous", out, () -> passBack(out, x), x);
    }

    /** The values of x in plain row-major layout, outside the graph (no copy when already so). */
    public static Tensor rowMajor(Tensor x) {
        return x.isContiguous() ? x : Tensor.over(x.toArray(), 0, x.shape(), false);
    }
}
