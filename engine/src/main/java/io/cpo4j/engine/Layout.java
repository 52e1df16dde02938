package io.cpo4j.engine;

import io.cpo4j.engine.kernels.Elementwise;

/**
 * The ops that move no arithmetic, only layout: reshape, transpose of the last two dimensions,
 * slicing along the first, and making a transposed view contiguous. They return views that share
 * the input's storage where they can, and a copy only where the layout cannot be expressed as a
 * view. Gradients are stored in logical order, so reshape, slice and contiguous pass them back
 * unchanged.
 */
final class Layout {

    private Layout() {}

    // ---------------------------------------------------------------- reshape

    static Tensor reshape(Tensor x, int... requested) {
        int[] shape = resolve(x, requested);
        Tensor out = x.isContiguous() ? Tensor.viewOf(x, x.offset(), shape, false) : rowMajorCopy(x, shape, 0, x.size());
        return Autograd.record("reshape", out, () -> passBack(out, x), x);
    }

    /** x.grad += out.grad, element for element in logical order. */
    private static void passBack(Tensor out, Tensor x) {
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
    static Tensor transpose(Tensor x) {
        int[] s = x.shape();
        if (s.length < 2) throw new IllegalArgumentException("transpose: needs rank >= 2, got shape " + Shape.str(s));
        int r = s.length;
        int tmp = s[r - 1];
        s[r - 1] = s[r - 2];
        s[r - 2] = tmp;
        if (x.isHalf()) throw x.halfError("transpose");
        Tensor out = Tensor.view(x.data(), x.offset(), s, !x.isTransposed());
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

    /** Rows [from, to) of the first dimension; a view unless x is a transposed matrix. */
    static Tensor slice(Tensor x, int from, int to) {
        int[] s = x.shape();
        if (s.length == 0) throw new IllegalArgumentException("slice: cannot slice a rank-0 tensor");
        if (from < 0 || to > s[0] || from > to) {
            throw new IndexOutOfBoundsException("slice: range [" + from + ", " + to + ") out of bounds for shape " + Shape.str(s));
        }
        int inner = Shape.prod(s, 1, s.length);
        s[0] = to - from;
        Tensor out;
        if (x.isContiguous()) {
            out = Tensor.viewOf(x, x.offset() + from * inner, s, false);
        } else if (s.length >= 3) {
            out = Tensor.view(x.data(), x.offset() + from * inner, s, true);
        } else {
            out = rowMajorCopy(x, s, from * inner, to * inner);
        }
        return Autograd.record("slice", out, () -> {
            if (x.requiresGrad()) Elementwise.axpy(1f, out.gradBuffer(), out.gradOffset(), x.gradBuffer(), x.gradOffset() + from * inner, out.size());
        }, x);
    }

    // ---------------------------------------------------------------- contiguous

    static Tensor contiguous(Tensor x) {
        if (x.isContiguous()) return x;
        Tensor out = rowMajorCopy(x, x.shape(), 0, x.size());
        return Autograd.record("contiguous", out, () -> passBack(out, x), x);
    }

    /** Elements [from, to) of x in logical row-major order, as a new result tensor of {@code shape}. */
    private static Tensor rowMajorCopy(Tensor x, int[] shape, int from, int to) {
        Tensor out = Tensor.output(shape, false);
        float[] src = x.data(), dst = out.data();
        for (int i = from; i < to; i++) dst[i - from] = src[x.storageIndex(i)];
        return out;
    }
}
