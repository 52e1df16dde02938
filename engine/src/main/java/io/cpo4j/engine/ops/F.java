package io.cpo4j.engine.ops;

import io.cpo4j.engine.ActivationCheckpoint;
import io.cpo4j.engine.Rng;
import io.cpo4j.engine.Tensor;

import java.util.function.UnaryOperator;

/**
 * The differentiable ops in one place, named and ordered as in PyTorch ({@code torch} and
 * {@code torch.nn.functional}; {@code import static io.cpo4j.engine.ops.F.*}). Each delegates to
 * the op class that holds its forward and backward side by side. The view ops (reshape,
 * transpose, slice) are methods of {@link Tensor}. Shapes: B batch, T time, C channels,
 * V vocabulary.
 */
public final class F {

    /** The target that {@link #crossEntropy} and {@link #tokenLogProbs} skip by default, as PyTorch's {@code ignore_index}. */
    public static final int IGNORE_INDEX = -100;

    private F() {}

    // ---------------------------------------------------------------- arithmetic (NumPy broadcasting)

    /** a + b. */
    public static Tensor add(Tensor a, Tensor b) {
        Operands.requireFloat32("add", a, b);
        return Arithmetic.add(a, b);
    }

    /** a − b. */
    public static Tensor sub(Tensor a, Tensor b) {
        Operands.requireFloat32("sub", a, b);
        return Arithmetic.sub(a, b);
    }

    /** a · b, element-wise. */
    public static Tensor mul(Tensor a, Tensor b) {
        Operands.requireFloat32("mul", a, b);
        return Arithmetic.mul(a, b);
    }

    /** a / b, element-wise. */
    public static Tensor div(Tensor a, Tensor b) {
        Operands.requireFloat32("div", a, b);
        return Arithmetic.div(a, b);
    }

    /** s · x. */
    public static Tensor scale(Tensor x, float s) {
        Operands.requireFloat32("scale", x);
        return Arithmetic.scale(x, s);
    }

    /** (.., M, K) · (.., K, N) → (.., M, N). */
    public static Tensor matmul(Tensor a, Tensor b) {
        Operands.requireFloat32("matmul", a, b);
        return MatMul.forward(a, b);
    }

    // ---------------------------------------------------------------- reductions

    /** Sum of all elements, shape []. */
    public static Tensor sum(Tensor x) {
        Operands.requireFloat32("sum", x);
        return Reduce.sumAll(x);
    }

    /** Sum over dimension {@code dim} (negative counts from the end), kept as size 1 when {@code keepDim}. */
    public static Tensor sum(Tensor x, int dim, boolean keepDim) {
        Operands.requireFloat32("sum", x);
        return Reduce.sum(x, dim, keepDim);
    }

    /** Mean of all elements, shape []. */
    public static Tensor mean(Tensor x) {
        Operands.requireFloat32("mean", x);
        return Reduce.meanAll(x);
    }

    /** Mean over dimension {@code dim} (negative counts from the end), kept as size 1 when {@code keepDim}. */
    public static Tensor mean(Tensor x, int dim, boolean keepDim) {
        Operands.requireFloat32("mean", x);
        return Reduce.mean(x, dim, keepDim);
    }

    // ---------------------------------------------------------------- layers

    /**
     * x (.., in) · weightᵀ (out, in) + bias (out) → (.., out); bias may be null. The weight may be a
     * frozen half-precision tensor ({@link Tensor#frozenHalf}): widened in the kernels, same bits as on
     * its float32 copy, gradient to x only.
     */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        return Linear.forward(x, weight, bias);
    }

    /**
     * {@link #linear} of one x with several weights (and biases, or null for none), one result each:
     * a block's q, k and v, or its gate and up. Equal to separate calls; while decoding (no graph, a
     * few rows) the weights are read in one parallel region instead of one each.
     */
    public static Tensor[] linears(Tensor x, Tensor[] weights, Tensor[] biases) {
        return Linear.forwardAll(x, weights, biases);
    }

    /** Rows of weight (V, C) picked by ids, which have shape idsShape → idsShape + [C]; weight may be frozen half precision. */
    public static Tensor embedding(int[] ids, int[] idsShape, Tensor weight) {
        return Embedding.forward(ids, idsShape, weight);
    }

    /** Normalises the last dimension: (x − mean)/√(var + eps) · weight + bias. */
    public static Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, float eps) {
        Operands.requireFloat32("layerNorm", x, weight, bias);
        return LayerNorm.forward(x, weight, bias, eps);
    }

    /**
     * RMS normalisation of the last dimension, as HF's {@code LlamaRMSNorm} in float32:
     * x · 1/√(mean(x²) + eps) · weight.
     */
    public static Tensor rmsNorm(Tensor x, Tensor weight, float eps) {
        Operands.requireFloat32("rmsNorm", x, weight);
        return RmsNorm.forward(x, weight, eps);
    }

    /**
     * Rotary position embedding of x (B, T, H·D), heads of size {@code headDim}, as HF applies it
     * with {@code rotate_half}: for i &lt; D/2 at position p = positions[t],
     * out[i] = x[i]·cos[p, i] − x[i+D/2]·sin[p, i] and out[i+D/2] = x[i+D/2]·cos[p, i] + x[i]·sin[p, i].
     * cos and sin are tables (P, D/2) row-major, read again by the backward (do not change them
     * before it runs); positions has one entry per time step, shared by every batch row.
     */
    public static Tensor rotary(Tensor x, int headDim, float[] cos, float[] sin, int[] positions) {
        Operands.requireFloat32("rotary", x);
        return Rotary.forward(x, headDim, cos, sin, positions);
    }

    /** silu(gate) · up, element-wise, with silu(x) = x·σ(x) (Llama's MLP); gate and up of the same shape. */
    public static Tensor swiglu(Tensor gate, Tensor up) {
        Operands.requireFloat32("swiglu", gate, up);
        return SwiGlu.forward(gate, up);
    }

    /** GELU, tanh approximation (GPT-2). */
    public static Tensor gelu(Tensor x) {
        Operands.requireFloat32("gelu", x);
        return Gelu.forward(x);
    }

    /** Softmax over the last dimension. */
    public static Tensor softmax(Tensor x) {
        Operands.requireFloat32("softmax", x);
        return Softmax.softmax(x);
    }

    /** Log-softmax over the last dimension. */
    public static Tensor logSoftmax(Tensor x) {
        Operands.requireFloat32("logSoftmax", x);
        return Softmax.logSoftmax(x);
    }

    /** Causal self-attention from qkv (B, T, 3C) to (B, T, C), scores scaled by 1/√(C/heads). */
    public static Tensor causalSelfAttention(Tensor qkv, int heads) {
        Operands.requireFloat32("causalSelfAttention", qkv);
        return Attention.causalSelfAttention(qkv, heads);
    }

    /**
     * Grouped-query causal self-attention (Llama): q (B, T, H·D), k and v (B, T, KV·D) →
     * (B, T, H·D), scores scaled by 1/√D; query head h attends with KV head h / (H/KV), as HF's
     * {@code repeat_kv} (consecutive query heads share a KV head), without copying K or V.
     */
    public static Tensor causalSelfAttention(Tensor q, Tensor k, Tensor v, int heads, int kvHeads) {
        Operands.requireFloat32("causalSelfAttention", q, k, v);
        return Attention.causalSelfAttention(q, k, v, heads, kvHeads);
    }

    /**
     * Causal self-attention of rows that continue shared prefixes (GPT-2's layout): row r of qkv
     * (R, T, 3C) continues prefix prefixOf[r] of prefixQkv (N, P, 3C), right-padded, of which the
     * first lengths[prefixOf[r]] positions are real; its query t attends to those and to its own
     * positions 0..t → (R, T, C). The prefix's q part is not read; its k and v receive the summed
     * gradient of every row that continues it.
     */
    public static Tensor causalSelfAttentionAfterPrefix(Tensor qkv, Tensor prefixQkv, int[] lengths, int[] prefixOf, int heads) {
        Operands.requireFloat32("causalSelfAttentionAfterPrefix", qkv, prefixQkv);
        return PrefixAttention.forward(qkv, prefixQkv, lengths, prefixOf, heads);
    }

    /**
     * {@link #causalSelfAttentionAfterPrefix(Tensor, Tensor, int[], int[], int)} with grouped
     * queries (Llama): q (R, T, H·D), k and v (R, T, KV·D) after prefixK and prefixV (N, P, KV·D) → (R, T, H·D).
     */
    public static Tensor causalSelfAttentionAfterPrefix(Tensor q, Tensor k, Tensor v, Tensor prefixK, Tensor prefixV,
                                                        int[] lengths, int[] prefixOf, int heads, int kvHeads) {
        Operands.requireFloat32("causalSelfAttentionAfterPrefix", q, k, v, prefixK, prefixV);
        return PrefixAttention.forward(q, k, v, prefixK, prefixV, lengths, prefixOf, heads, kvHeads);
    }

    /** Inverted dropout with probability p, mask drawn from rng; p = 0 returns x itself. */
    public static Tensor dropout(Tensor x, float p, Rng rng) {
        Operands.requireFloat32("dropout", x);
        return Dropout.forward(x, p, rng);
    }

    // ---------------------------------------------------------------- recomputation

    /**
     * {@code function(x)} with activation recomputation, as PyTorch's
     * {@code torch.utils.checkpoint.checkpoint}: the graph keeps x and the result only, and the
     * backward pass runs the function again to backpropagate through it, with every generator in
     * {@code rngs} (dropout's) replayed, so the gradients are the stored-graph ones bit for bit.
     * Without grad it just runs the function. See {@link ActivationCheckpoint}.
     */
    public static Tensor checkpoint(UnaryOperator<Tensor> function, Tensor x, Rng... rngs) {
        return ActivationCheckpoint.checkpoint(function, x, rngs);
    }

    // ---------------------------------------------------------------- losses

    /** Mean cross-entropy of logits (.., V) against one target per position, skipping targets equal to {@link #IGNORE_INDEX}. */
    public static Tensor crossEntropy(Tensor logits, int[] targets) {
        Operands.requireFloat32("crossEntropy", logits);
        return CrossEntropy.loss(logits, targets, IGNORE_INDEX);
    }

    /**
     * Mean cross-entropy of logits (.., V) against one target per position, skipping targets equal
     * to {@code ignoreIndex}; any other target outside [0, V) is an error. NaN when every target is ignored.
     */
    public static Tensor crossEntropy(Tensor logits, int[] targets, int ignoreIndex) {
        Operands.requireFloat32("crossEntropy", logits);
        return CrossEntropy.loss(logits, targets, ignoreIndex);
    }

    /** log p(target) per position of logits (.., V) → (..); 0 where the target is {@link #IGNORE_INDEX}. */
    public static Tensor tokenLogProbs(Tensor logits, int[] targets) {
        Operands.requireFloat32("tokenLogProbs", logits);
        return CrossEntropy.tokenLogProbs(logits, targets, IGNORE_INDEX);
    }

    /** log p(target) per position of logits (.., V) → (..); 0 where the target is {@code ignoreIndex}. */
    public static Tensor tokenLogProbs(Tensor logits, int[] targets, int ignoreIndex) {
        Operands.requireFloat32("tokenLogProbs", logits);
        return CrossEntropy.tokenLogProbs(logits, targets, ignoreIndex);
    }

}
