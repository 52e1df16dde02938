package io.cpo4j.engine.ops;

import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.Shape;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.internal.Outputs;
import io.cpo4j.engine.kernels.RotaryKernel;

/**
 * Rotary position embedding of every head of x (B, T, H·D), as HF's {@code apply_rotary_pos_emb}
 * with {@code rotate_half}; the angles come from cos and sin tables (P, D/2) that the caller
 * built from its inverse frequencies (and any rope scaling), read at each time step's position.
 */
final class Rotary {

    private Rotary() {}

    static Tensor forward(Tensor x, int headDim, float[] cos, float[] sin, int[] positions) {
        int[] s = x.shape();
        if (s.length != 3 || headDim <= 0 || headDim % 2 != 0 || s[2] % headDim != 0) {
            throw new IllegalArgumentException("rotary: needs x of shape (B, T, H·D) with an even head size D dividing the last dimension, got x "
                    + Shape.str(s) + " and D = " + headDim);
        }
        int b = s[0], t = s[1], heads = s[2] / headDim, half = headDim / 2;
        if (cos == null || sin == null || cos.length != sin.length || cos.length % half != 0) {
            throw new IllegalArgumentException("rotary: cos and sin must be tables of shape (P, D/2 = " + half + "), got "
                    + (cos == null ? "null" : cos.length) + " and " + (sin == null ? "null" : sin.length) + " values");
        }
        int tablePositions = cos.length / half;
        if (positions == null || positions.length != t) {
            throw new IllegalArgumentException("rotary: needs one position per time step (" + t + "), got "
                    + (positions == null ? "null" : positions.length));
        }
        for (int i = 0; i < t; i++) {
            if (positions[i] < 0 || positions[i] >= tablePositions) {
                throw new IllegalArgumentException("rotary: position " + positions[i] + " at time step " + i
                        + " is outside the cos/sin tables' " + tablePositions + " positions");
            }
        }
        int rows = b * t;
        int[] rowPositions = new int[rows];                      // (B·T): every batch row has the same positions
        for (int r = 0; r < rows; r++) rowPositions[r] = positions[r % t];
        int width = s[2];
        Tensor xv = Operands.rowMajor(x);
        Tensor result = Outputs.allocate(s, false);
        RotaryKernel.forward(xv.data(), xv.offset(), width, result.data(), 0, width, rows, heads, headDim, cos, sin, rowPositions);
        return Autograd.record("rotary", result, () -> {
            if (x.requiresGrad()) RotaryKernel.backward(result.gradBuffer(), result.gradOffset(), x.gradBuffer(), x.gradOffset(),
                    rows, heads, headDim, cos, sin, rowPositions);
        }, x);
    }
}
