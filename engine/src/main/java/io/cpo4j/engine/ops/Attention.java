package io.cpo4j.engine.ops;

import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.Shape;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.internal.Outputs;
import io.cpo4j.engine.kernels.AttentionHeads;
import io.cpo4j.engine.kernels.FlashAttentionKernel;
import io.cpo4j.engine.kernels.Qkv;

/**
 * Fused causal self-attention: scores, causal mask, softmax and the weighted sum of values in one
 * op, to the heads' outputs side by side (B, T, H·D). Two layouts: GPT-2's fused q|k|v projection
 * (B, T, 3C), and Llama's separate q (B, T, H·D) and k, v (B, T, KV·D) with grouped queries.
 *
 * <p>It runs the tiled kernel ({@link FlashAttentionKernel}): the forward keeps only a
 * log-sum-exp per query (B, H, T) and the backward recomputes the probabilities from it, so no
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

    /** q (B, T, H·D), k and v (B, T, KV·D) → (B, T, H·D); query head h reads KV head h / (H/KV). */
    static Tensor causalSelfAttention(Tensor q, Tensor k, Tensor v, int heads, int kvHeads) {
        int[] qs = q.shape(), ks = k.shape(), vs = v.shape();
        if (heads <= 0 || kvHeads <= 0 || heads % kvHeads != 0) {
            throw new IllegalArgumentException("causalSelfAttention: " + heads + " query heads must be a positive multiple of "
                    + kvHeads + " KV heads");
        }
        if (qs.length != 3 || qs[2] % heads != 0 || qs[2] == 0) {
            throw new IllegalArgumentException("causalSelfAttention: needs q of shape (B, T, H·D) with H = " + heads
                    + ", got " + Shape.str(qs));
        }
        int b = qs[0], t = qs[1], d = qs[2] / heads;
        int[] kvShape = {b, t, kvHeads * d};
        if (!java.util.Arrays.equals(ks, kvShape) || !java.util.Arrays.equals(vs, kvShape)) {
            throw new IllegalArgumentException("causalSelfAttention: q " + Shape.str(qs) + " with " + kvHeads
                    + " KV heads of size " + d + " needs k and v of shape " + Shape.str(kvShape) + ", got k "
                    + Shape.str(ks) + " and v " + Shape.str(vs));
        }
        AttentionHeads a = AttentionHeads.separate(b, t, heads, kvHeads, d);
        Tensor qv = Operands.rowMajor(q), kv = Operands.rowMajor(k), vv = Operands.rowMajor(v);
        Qkv in = new Qkv(qv.data(), qv.offset(), kv.data(), kv.offset(), vv.data(), vv.offset());
        float[] lse = Autograd.needsGrad(q, k, v) ? new float[b * heads * t] : null;   // (B, H, T)
        Tensor result = Outputs.allocate(new int[] {b, t, heads * d}, true);
        float[] out = result.data();                                                    // (B, T, H·D)
        FlashAttentionKernel.forward(in, out, 0, lse, 0, a);
        return Autograd.record("causalSelfAttention", result, () -> {
            // an input that needs no gradient still receives one, in a throwaway array
            Qkv grad = new Qkv(gradientOrScratch(q), q.requiresGrad() ? q.gradOffset() : 0,
                    gradientOrScratch(k), k.requiresGrad() ? k.gradOffset() : 0,
                    gradientOrScratch(v), v.requiresGrad() ? v.gradOffset() : 0);
            FlashAttentionKernel.backward(result.gradBuffer(), result.gradOffset(), in, out, 0, lse, 0, grad, a);
        }, q, k, v);
    }

    private static float[] gradientOrScratch(Tensor x) {
        return x.requiresGrad() ? x.gradBuffer() : new float[x.size()];
    }
}
