package io.cpo4j.engine.ops;

import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.Shape;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.kernels.AttentionKernel;

/**
 * Fused causal self-attention: scores, causal mask, softmax and the weighted sum of values in one
 * op, from the fused q|k|v projection (B, T, 3C) to the heads' outputs side by side (B, T, C).
 */
public final class Attention {

    private Attention() {}

    public static Tensor causalSelfAttention(Tensor qkv, int heads) {
        int[] s = qkv.shape();
        if (s.length != 3 || s[2] % 3 != 0 || heads <= 0 || (s[2] / 3) % heads != 0) {
            throw new IllegalArgumentException("causalSelfAttention: needs qkv of shape (B, T, 3C) with C divisible by "
                    + heads + " heads, got " + Shape.str(s));
        }
        int b = s[0], t = s[1], c = s[2] / 3;
        Tensor in = Layout.rowMajor(qkv);
        boolean grad = Autograd.needsGrad(qkv);
        float[] att = grad ? new float[b * heads * t * t] : null;   // (B, NH, T, T)
        float[] out = new float[b * t * c];                          // (B, T, C)
        AttentionKernel.forward(in.data(), in.offset(), out, 0, att, 0, b, t, c, heads);
        Tensor result = Tensor.over(out, 0, new int[] {b, t, c}, false);
        return Autograd.record("causalSelfAttention", result, () -> AttentionKernel.backward(
                result.gradBuffer(), result.gradOffset(), in.data(), in.offset(), att, 0,
                qkv.gradBuffer(), qkv.gradOffset(), b, t, c, heads), qkv);
    }
}
