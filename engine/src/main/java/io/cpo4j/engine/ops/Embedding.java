package io.cpo4j.engine.ops;

import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.Shape;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.internal.Outputs;
import io.cpo4j.engine.DType;
import io.cpo4j.engine.kernels.Elementwise;
import io.cpo4j.engine.kernels.HalfFloats;
import io.cpo4j.engine.kernels.Parallel;

import java.util.Arrays;

/**
 * Row gather from a (V, C) table; the backward scatter-adds rows back, tokens in order. A frozen
 * half-precision table ({@link Tensor#frozenHalf}) has its rows widened as they are gathered, and
 * never needs a gradient.
 */
final class Embedding {

    private Embedding() {}

    /** out[.., :] = weight[ids[..], :], shape {@code idsShape + [C]}. */
    static Tensor forward(int[] ids, int[] idsShape, Tensor weight) {
        int[] ws = weight.shape();
        if (ws.length != 2) throw new IllegalArgumentException("embedding: weight must be (V, C), got " + Shape.str(ws));
        if (Shape.numel(idsShape) != ids.length) {
            throw new IllegalArgumentException("embedding: " + ids.length + " ids do not fill shape " + Shape.str(idsShape));
        }
        int vocab = ws[0], c = ws[1];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocab) {
                throw new IndexOutOfBoundsException("embedding: id " + ids[i] + " at position " + i + " is outside [0, " + vocab + ")");
            }
        }
        Tensor w = Operands.rowMajor(weight);
        int[] shape = Arrays.copyOf(idsShape, idsShape.length + 1);
        shape[idsShape.length] = c;
        Tensor result = Outputs.allocate(shape, false);
        float[] out = result.data();
        if (w.isHalf()) {
            short[] bits = w.halfData();
            boolean bf16 = w.dtype() == DType.BF16;
            for (int i = 0; i < ids.length; i++) HalfFloats.widen(bits, w.offset() + ids[i] * c, out, i * c, c, bf16);
            return result;                                          // no gradient reaches a frozen half-precision table
        }
        for (int i = 0; i < ids.length; i++) System.arraycopy(w.data(), w.offset() + ids[i] * c, out, i * c, c);
        int[] saved = ids.clone();
        return Autograd.record("embedding", result, () -> backward(result, weight, saved, c), weight);
    }

    /** weight.grad[ids[i], :] += out.grad[i, :]; columns split across threads, tokens in order. */
    private static void backward(Tensor out, Tensor weight, int[] ids, int c) {
        if (!weight.requiresGrad()) return;
        float[] g = out.gradBuffer(), gw = weight.gradBuffer();
        int go = out.gradOffset(), gwo = weight.gradOffset();
        Parallel.forAlignedRange(c, 64, (from, to) -> {
            for (int i = 0; i < ids.length; i++) {
                Elementwise.axpyScalar(1f, g, go + i * c + from, gw, gwo + ids[i] * c + from, to - from);
            }
        });
    }
}
