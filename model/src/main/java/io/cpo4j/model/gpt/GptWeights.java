package io.cpo4j.model.gpt;

import io.cpo4j.engine.Tensor;
import io.cpo4j.model.lm.WeightShapes;

import java.util.function.Function;

/**
 * A GPT-2's weights, typed per layer and looked up once when the model is built, so the
 * forward passes read fields instead of names; float32 parameters or a frozen half-precision base
 * back them alike. Linear weights are (out, in).
 */
record GptWeights(Tensor tokenEmbedding, Tensor positionEmbedding, Layer[] layers, Tensor finalNormWeight, Tensor finalNormBias) {

    /** One block: ln_1, fused q|k|v (3C, C), output projection, ln_2, MLP (4C, C) and (C, 4C). */
    record Layer(Tensor norm1Weight, Tensor norm1Bias, Tensor qkvWeight, Tensor qkvBias, Tensor attnOutWeight, Tensor attnOutBias,
                 Tensor norm2Weight, Tensor norm2Bias, Tensor fcWeight, Tensor fcBias, Tensor fcOutWeight, Tensor fcOutBias) {}

    /** Declares the weights of a configuration, in a fixed order. */
    static WeightShapes declare(GptConfig c) {
        int v = c.vocabSize(), t = c.contextLength(), w = c.width();
        WeightShapes b = new WeightShapes().add("wte.weight", v, w).add("wpe.weight", t, w);
        for (int l = 0; l < c.layers(); l++) {
            String p = "h." + l + ".";
            b.add(p + "ln_1.weight", w).add(p + "ln_1.bias", w)
                    .add(p + "attn.c_attn.weight", 3 * w, w).add(p + "attn.c_attn.bias", 3 * w)
                    .add(p + "attn.c_proj.weight", w, w).add(p + "attn.c_proj.bias", w)
                    .add(p + "ln_2.weight", w).add(p + "ln_2.bias", w)
                    .add(p + "mlp.c_fc.weight", 4 * w, w).add(p + "mlp.c_fc.bias", 4 * w)
                    .add(p + "mlp.c_proj.weight", w, 4 * w).add(p + "mlp.c_proj.bias", w);
        }
        return b.add("ln_f.weight", w).add("ln_f.bias", w);
    }

    /** The weights {@code p} finds by name. */
    static GptWeights of(Function<String, Tensor> p, int layerCount) {
        Layer[] layers = new Layer[layerCount];
        for (int l = 0; l < layerCount; l++) {
            String b = "h." + l + ".";
            layers[l] = new Layer(p.apply(b + "ln_1.weight"), p.apply(b + "ln_1.bias"),
                    p.apply(b + "attn.c_attn.weight"), p.apply(b + "attn.c_attn.bias"), p.apply(b + "attn.c_proj.weight"), p.apply(b + "attn.c_proj.bias"),
                    p.apply(b + "ln_2.weight"), p.apply(b + "ln_2.bias"),
                    p.apply(b + "mlp.c_fc.weight"), p.apply(b + "mlp.c_fc.bias"), p.apply(b + "mlp.c_proj.weight"), p.apply(b + "mlp.c_proj.bias"));
        }
        return new GptWeights(p.apply("wte.weight"), p.apply("wpe.weight"), layers, p.apply("ln_f.weight"), p.apply("ln_f.bias"));
    }
}
