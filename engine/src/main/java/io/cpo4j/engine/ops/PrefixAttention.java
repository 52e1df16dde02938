package io.cpo4j.engine.ops;

import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.Shape;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.internal.Outputs;
import io.cpo4j.engine.kernels.AttentionHeads;
import io.cpo4j.engine.kernels.PrefixAttentionKernel;
import io.cpo4j.engine.kernels.Qkv;

import java.util.Arrays;

/**
 * Causal self-attention of rows that continue shared prefixes ({@link PrefixAttentionKernel}):
 * row r's query t attends to the first lengths[prefixOf[r]] keys and values of its prefix, then
 * to its own keys and values 0..t. The backward sums every row's share into its prefix's keys and
 * values. Two layouts, as {@link Attention}: GPT-2's fused q|k|v, and Llama's separate q, k, v
 * with grouped queries.
 */
final class PrefixAttention {

    private PrefixAttention() {}

    /** qkv (R, T, 3C) after prefixQkv (N, P, 3C) (its q part is not read) → (R, T, C). */
    static Tensor forward(Tensor qkv, Tensor prefixQkv, int[] lengths, int[] prefixOf, int heads) {
        int[] s = qkv.shape(), ps = prefixQkv.shape();
        if (s.length != 3 || s[2] % 3 != 0 || heads <= 0 || (s[2] / 3) % heads != 0) {
            throw new IllegalArgumentException("causalSelfAttentionAfterPrefix: needs qkv of shape (R, T, 3C) with C divisible by "
                    + heads + " heads, got " + Shape.str(s));
        }
        if (ps.length != 3 || ps[2] != s[2]) {
            throw new IllegalArgumentException("causalSelfAttentionAfterPrefix: qkv " + Shape.str(s) + " needs prefix qkv of shape (N, P, "
                    + s[2] + "), got " + Shape.str(ps));
        }
        int r = s[0], t = s[1], c = s[2] / 3;
        PrefixAttentionKernel.Prefixes p = prefixes(ps[0], ps[1], lengths, prefixOf, r);
        AttentionHeads a = AttentionHeads.packed(r, t, c, heads);
        Tensor in = Operands.rowMajor(qkv), pin = Operands.rowMajor(prefixQkv);
        Qkv rows = Qkv.packed(in.data(), in.offset(), c), shared = Qkv.packed(pin.data(), pin.offset(), c);
        return run(rows, shared, p, a, () -> Qkv.packed(gradientOrScratch(qkv), gradOffset(qkv), c),
                () -> Qkv.packed(gradientOrScratch(prefixQkv), gradOffset(prefixQkv), c), qkv, prefixQkv);
    }

    /** q (R, T, H·D), k and v (R, T, KV·D) after prefixK and prefixV (N, P, KV·D) → (R, T, H·D). */
    static Tensor forward(Tensor q, Tensor k, Tensor v, Tensor prefixK, Tensor prefixV, int[] lengths, int[] prefixOf, int heads, int kvHeads) {
        int[] qs = q.shape();
        if (heads <= 0 || kvHeads <= 0 || heads % kvHeads != 0) {
            throw new IllegalArgumentException("causalSelfAttentionAfterPrefix: " + heads + " query heads must be a positive multiple of "
                    + kvHeads + " KV heads");
        }
        if (qs.length != 3 || qs[2] % heads != 0 || qs[2] == 0) {
            throw new IllegalArgumentException("causalSelfAttentionAfterPrefix: needs q of shape (R, T, H·D) with H = " + heads + ", got " + Shape.str(qs));
        }
        int r = qs[0], t = qs[1], d = qs[2] / heads;
        int[] kvShape = {r, t, kvHeads * d};
        if (!Arrays.equals(k.shape(), kvShape) || !Arrays.equals(v.shape(), kvShape)) {
            throw new IllegalArgumentException("causalSelfAttentionAfterPrefix: q " + Shape.str(qs) + " needs k and v of shape "
                    + Shape.str(kvShape) + ", got k " + Shape.str(k.shape()) + " and v " + Shape.str(v.shape()));
        }
        int[] ps = prefixK.shape();
        if (ps.length != 3 || ps[2] != kvHeads * d || !Arrays.equals(prefixV.shape(), ps)) {
            throw new IllegalArgumentException("causalSelfAttentionAfterPrefix: needs prefix k and v of one shape (N, P, " + kvHeads * d
                    + "), got k " + Shape.str(ps) + " and v " + Shape.str(prefixV.shape()));
        }
        PrefixAttentionKernel.Prefixes p = prefixes(ps[0], ps[1], lengths, prefixOf, r);
        AttentionHeads a = AttentionHeads.separate(r, t, heads, kvHeads, d);
        Tensor qv = Operands.rowMajor(q), kv = Operands.rowMajor(k), vv = Operands.rowMajor(v);
        Tensor pk = Operands.rowMajor(prefixK), pv = Operands.rowMajor(prefixV);
        Qkv rows = new Qkv(qv.data(), qv.offset(), kv.data(), kv.offset(), vv.data(), vv.offset());
        Qkv shared = new Qkv(null, 0, pk.data(), pk.offset(), pv.data(), pv.offset());
        return run(rows, shared, p, a,
                () -> new Qkv(gradientOrScratch(q), gradOffset(q), gradientOrScratch(k), gradOffset(k), gradientOrScratch(v), gradOffset(v)),
                () -> new Qkv(null, 0, gradientOrScratch(prefixK), gradOffset(prefixK), gradientOrScratch(prefixV), gradOffset(prefixV)),
                q, k, v, prefixK, prefixV);
    }

    private interface Grads {
        Qkv get();
    }

    private static Tensor run(Qkv rows, Qkv shared, PrefixAttentionKernel.Prefixes p, AttentionHeads a, Grads rowGrads, Grads prefixGrads, Tensor... inputs) {
        float[] lse = Autograd.needsGrad(inputs) ? new float[a.batch() * a.heads() * a.time()] : null;   // (R, H, T)
        Tensor result = Outputs.allocate(new int[] {a.batch(), a.time(), a.outWidth()}, true);
        float[] out = result.data();                                                                        // (R, T, H·D)
        PrefixAttentionKernel.forward(rows, shared, p, out, 0, lse, 0, a);
        // an input that needs no gradient still receives one, in a throwaway array
        return Autograd.record("causalSelfAttentionAfterPrefix", result, () -> PrefixAttentionKernel.backward(
                result.gradBuffer(), result.gradOffset(), rows, shared, p, out, 0, lse, 0, rowGrads.get(), prefixGrads.get(), a), inputs);
    }

    private static PrefixAttentionKernel.Prefixes prefixes(int n, int time, int[] lengths, int[] prefixOf, int rows) {
        if (prefixOf.length != rows) {
            throw new IllegalArgumentException("causalSelfAttentionAfterPrefix: " + prefixOf.length + " prefix indices for " + rows + " rows");
        }
        return new PrefixAttentionKernel.Prefixes(n, time, lengths.clone(), prefixOf.clone());
    }

    private static float[] gradientOrScratch(Tensor x) {
        return x.requiresGrad() ? x.gradBuffer() : new float[x.size()];
    }

    private static int gradOffset(Tensor x) {
        return x.requiresGrad() ? x.gradOffset() : 0;
    }
}
