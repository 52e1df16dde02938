package io.cpo4j.engine.ops;

import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.Shape;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.internal.Outputs;
import io.cpo4j.engine.kernels.Elementwise;

/**
 * Sum and mean over one dimension or over everything. A tensor is viewed as (outer, D, inner)
 * around the reduced dimension; sums run over D in order.
 */
final class Reduce {

    private Reduce() {}

    static Tensor sum(Tensor x, int dim, boolean keepDim) {
        return overDim("sum", x, dim, keepDim, false);
    }

    static Tensor mean(Tensor x, int dim, boolean keepDim) {
        return overDim("mean", x, dim, keepDim, true);
    }

    private static Tensor overDim(String op, Tensor x, int dim, boolean keepDim, boolean mean) {
        int[] s = x.shape();
        int d = Shape.dim(dim, s.length, op);
        int outer = Shape.prod(s, 0, d), size = s[d], inner = Shape.prod(s, d + 1, s.length);
        float factor = mean ? 1f / size : 1f;
        Tensor xv = Operands.rowMajor(x);
        Tensor result = Outputs.allocate(reducedShape(s, d, keepDim), true);      // the row sums accumulate into it
        float[] out = result.data();
        for (int o = 0; o < outer; o++) {
            Elementwise.sumRowsInto(xv.data(), xv.offset() + o * size * inner, size, inner, out, o * inner);
        }
        if (mean) Elementwise.scale(factor, out, 0, out, 0, outer * inner);
        return Autograd.record(op, result, () -> {
            if (!x.requiresGrad()) return;
            // every input element along D receives the output's gradient (times 1/D for a mean)
            for (int o = 0; o < outer; o++) {
                for (int i = 0; i < size; i++) {
                    Elementwise.axpy(factor, result.gradBuffer(), result.gradOffset() + o * inner,
                            x.gradBuffer(), x.gradOffset() + (o * size + i) * inner, inner);
                }
            }
        }, x);
    }

    private static int[] reducedShape(int[] s, int d, boolean keepDim) {
        if (keepDim) {
            int[] r = s.clone();
            r[d] = 1;
            return r;
        }
        int[] r = new int[s.length - 1];
        for (int i = 0, j = 0; i < s.length; i++) if (i != d) r[j++] = s[i];
        return r;
    }

    static Tensor sumAll(Tensor x) {
        return all("sum", x, 1.0);
    }

    static Tensor meanAll(Tensor x) {
        return all("mean", x, 1.0 / x.size());
    }

    /** factor · Σ x, accumulated in double, shape []. */
    private static Tensor all(String op, Tensor x, double factor) {
        Tensor xv = Operands.rowMajor(x);
        double sum = 0;
        for (int i = 0; i < x.size(); i++) sum += xv.data()[xv.offset() + i];
        Tensor result = Outputs.allocate(new int[0], false);
        result.data()[0] = (float) (sum * factor);
        return Autograd.record(op, result, () -> {
            if (!x.requiresGrad()) return;
            float g = (float) (result.gradBuffer()[result.gradOffset()] * factor);
            float[] gx = x.gradBuffer();
            for (int i = 0; i < x.size(); i++) gx[x.gradOffset() + i] += g;
        }, x);
    }
}
