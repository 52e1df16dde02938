package io.cpo4j.model.llama;

import io.cpo4j.engine.Tensor;
import io.cpo4j.model.lm.WeightShapes;

import java.util.function.Function;

/**
 * A Llama-family model's weights, typed per layer and looked up once; float32 parameters or a
 * frozen half-precision base back them alike. Linear weights are
 * (out, in). Parameter names follow Meta's original Llama code ({@code tok_embeddings},
 * {@code layers.0.attention.wq}, {@code feed_forward.w1} = gate, {@code w3} = up, {@code w2} =
 * down, {@code output}); HuggingFace's names appear only in the checkpoint code. Absent pieces
 * (biases, q/k norms, a tied output head) are null.
 */
record LlamaWeights(Tensor tokenEmbedding, Layer[] layers, Tensor finalNorm, Tensor output) {

    /**
     * One block: attention norm, q (H·D, C), k and v (KV·D, C), output (C, H·D), MLP norm, gate and
     * up (I, C), down (C, I).
     */
    record Layer(Tensor attentionNorm, Tensor wq, Tensor bq, Tensor wk, Tensor bk, Tensor wv, Tensor bv, Tensor qNorm, Tensor kNorm,
                 Tensor wo, Tensor bo, Tensor mlpNorm, Tensor gate, Tensor up, Tensor down) {}

    static WeightShapes declare(LlamaConfig c) {
        int w = c.width(), q = c.heads() * c.headSize(), kv = c.kvHeads() * c.headSize(), d = c.headSize(), inner = c.hiddenSize();
        WeightShapes b = new WeightShapes().add("tok_embeddings.weight", c.vocabSize(), w);
        for (int l = 0; l < c.layers(); l++) {
            String p = "layers." + l + ".";
            b.add(p + "attention_norm.weight", w);
            b.add(p + "attention.wq.weight", q, w);
            if (c.qkvBias()) b.add(p + "attention.wq.bias", q);
            b.add(p + "attention.wk.weight", kv, w);
            if (c.qkvBias()) b.add(p + "attention.wk.bias", kv);
            b.add(p + "attention.wv.weight", kv, w);
            if (c.qkvBias()) b.add(p + "attention.wv.bias", kv);
            if (c.qkNorm()) b.add(p + "attention.q_norm.weight", d).add(p + "attention.k_norm.weight", d);
            b.add(p + "attention.wo.weight", w, q);
            if (c.outputBias()) b.add(p + "attention.wo.bias", w);
            b.add(p + "ffn_norm.weight", w);
            b.add(p + "feed_forward.w1.weight", inner, w).add(p + "feed_forward.w3.weight", inner, w).add(p + "feed_forward.w2.weight", w, inner);
        }
        b.add("norm.weight", w);
        if (!c.tiedEmbeddings()) b.add("output.weight", c.vocabSize(), w);
        return b;
    }

    /** The weights {@code p} finds by name; the pieces the config leaves out are null. */
    static LlamaWeights of(Function<String, Tensor> p, LlamaConfig c) {
        Layer[] layers = new Layer[c.layers()];
        for (int l = 0; l < layers.length; l++) {
            String b = "layers." + l + ".";
            layers[l] = new Layer(p.apply(b + "attention_norm.weight"),
                    p.apply(b + "attention.wq.weight"), c.qkvBias() ? p.apply(b + "attention.wq.bias") : null,
                    p.apply(b + "attention.wk.weight"), c.qkvBias() ? p.apply(b + "attention.wk.bias") : null,
                    p.apply(b + "attention.wv.weight"), c.qkvBias() ? p.apply(b + "attention.wv.bias") : null,
                    c.qkNorm() ? p.apply(b + "attention.q_norm.weight") : null, c.qkNorm() ? p.apply(b + "attention.k_norm.weight") : null,
                    p.apply(b + "attention.wo.weight"), c.outputBias() ? p.apply(b + "attention.wo.bias") : null,
                    p.apply(b + "ffn_norm.weight"),
                    p.apply(b + "feed_forward.w1.weight"), p.apply(b + "feed_forward.w3.weight"), p.apply(b + "feed_forward.w2.weight"));
        }
        Tensor embedding = p.apply("tok_embeddings.weight");
        return new LlamaWeights(embedding, layers, p.apply("norm.weight"), c.tiedEmbeddings() ? embedding : p.apply("output.weight"));
    }
}
