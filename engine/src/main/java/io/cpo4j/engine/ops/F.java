package io.cpo4j.engine.ops;

import io.cpo4j.engine.Rng;
import io.cpo4j.engine.Tensor;

/**
 * The differentiable ops in one place, named as in PyTorch's {@code torch.nn.functional}
 * ({@code import static io.cpo4j.engine.ops.F.*}). Each delegates to the op class that holds its
 * forward and backward side by side. Shapes: B batch, T time, C channels, V vocabulary.
 */
public final class F {

    private F() {}

    public static Tensor add(Tensor a, Tensor b) {
        return Arithmetic.add(a, b);
    }

    public static Tensor sub(Tensor a, Tensor b) {
        return Arithmetic.sub(a, b);
    }

    public static Tensor mul(Tensor a, Tensor b) {
        return Arithmetic.mul(a, b);
    }

    public static Tensor div(Tensor a, Tensor b) {
        return Arithmetic.div(a, b);
    }

    public static Tensor scale(Tensor x, float s) {
        return Arithmetic.scale(x, s);
    }

    /** (.., M, K) · (.., K, N) → (.., M, N). */
    public static Tensor matmul(Tensor a, Tensor b) {
        return MatMul.forward(a, b);
    }

    /** x (.., in) · weightᵀ (out, in) + bias (out) → (.., out); bias may be null. */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        return Linear.forward(x, weight, bias);
    }

    /** Rows of weight (V, C) picked by ids → idsShape + [C]. */
    public static Tensor embedding(Tensor weight, int[] ids, int... idsShape) {
        return Embedding.forward(weight, ids, idsShape);
    }

    /** Normalises the last dimension: (x − mean)/√(var + eps) · weight + bias. */
    public static Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, float eps) {
        return LayerNorm.forward(x, weight, bias, eps);
    }

    /** GELU, tanh approximation (GPT-2). */
    public static Tensor gelu(Tensor x) {
        return Gelu.forward(x);
    }

    /** Softmax over the last dimension. */
    public static Tensor softmax(Tensor x) {
        return Softmax.softmax(x);
    }

    /** Log-softmax over the last dimension. */
    public static Tensor logSoftmax(Tensor x) {
        return Softmax.logSoftmax(x);
    }

    /** Causal self-attention from qkv (B, T, 3C) to (B, T, C), scores scaled by 1/√(C/heads). */
    public static Tensor causalSelfAttention(Tensor qkv, int heads) {
        return Attention.causalSelfAttention(qkv, heads);
    }

    /** Mean cross-entropy of logits (.., V) against targets (one per position; negative = ignored). */
    public static Tensor crossEntropy(Tensor logits, int[] targets) {
        return CrossEntropy.loss(logits, targets);
    }

    /** log p(target) per position of logits (.., V) → (..); 0 where the target is negative. */
    public static Tensor tokenLogProbs(Tensor logits, int[] targets) {
        return CrossEntropy.tokenLogProbs(logits, targets);
    }

    /** Inverted dropout with probability p, mask drawn from rng; p = 0 returns x itself. */
    public static Tensor dropout(Tensor x, float p, Rng rng) {
        return Dropout.forward(x, p, rng);
    }
}
