package io.cpo4j.engine.ops;

import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.Shape;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.internal.Outputs;
import io.cpo4j.engine.kernels.FlashAttentionKernel;

/**
 * Fused causal self-attention: scores, causal mask, softmax and the weighted sum of values in one
 * op, from the fused q|k|v projection (B, T, 3C) to the heads' outputs side by side (B, T, C).
 *
 * <p>It runs the tiled kernel ({@link FlashAttentionKernel}): the forward keeps only a
 * log-sum-exp per query (B, NH, T) and the backward recomputes the probabilities from it, so no
 * (T, T) matrix per head is stored at any T.
 */
final class Attention {

    private Attention() {}

    static Tensor causalSelfAttention(Tensor qkv, int heads) {
        int[] s = qkv.shape();
        if (s.length != 3 || s[2] % 3 != 0 || heads <= 0 || (s[2] / 3) % heads != 0) {
            throw new IllegalArgumentException("causalSelfAttention: needs qkv of shape (B, T, 3C) with C divisible by "
                    + heads + " heads, got " + Shape.str(s));
        }
        int b = s[0], t = s[1], c = s[2] / 3;
        Tensor in = Operands.rowMajor(qkv);
        boolean grad = Autograd.needsGrad(qkv);
        float[] lse = grad ? new float[b * heads * t] : null;   // (B, NH, T)
        Tensor result = Outputs.allocate(new int[] {b, t, c}, true);
        float[] out = result.data();                            // (B, T, C)
        FlashAttentionKernel.forward(in.data(), in.offset(), out, 0, lse, 0, b, t, c, heads);
        return Autograd.record("causalSelfAttention", result, () -> FlashAttentionKernel.backward(
                result.gradBuffer(), result.gradOffset(), in.data(), in.offset(), out, 0, lse, 0,
                qkv.gradBuffer(), qkv.gradOffset(), b, t, c, heads), qkv);
    }
}
