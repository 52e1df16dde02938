package io.cpo4j.model.gpt;

import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.nn.Parameters;

/**
 * A GPT-2's parameters, typed per layer and looked up once when the model is built, so the
 * forward passes read fields instead of names. Linear weights are (out, in).
 */
record GptWeights(Tensor tokenEmbedding, Tensor positionEmbedding, Layer[] layers, Tensor finalNormWeight, Tensor finalNormBias) {

    /** One block: ln_1, fused q|k|v (3C, C), output projection, ln_2, MLP (4C, C) and (C, 4C). */
    record Layer(Tensor norm1Weight, Tensor norm1Bias, Tensor qkvWeight, Tensor qkvBias, Tensor attnOutWeight, Tensor attnOutBias,
                 Tensor norm2Weight, Tensor norm2Bias, Tensor fcWeight, Tensor fcBias, Tensor fcOutWeight, Tensor fcOutBias) {}

    /** Declares the parameters of a configuration, in a fixed order. */
    static Parameters.Builder declare(GptConfig c) {
        int v = c.vocabSize(), t = c.contextLength(), w = c.width();
        Parameters.Builder b = Parameters.builder().add("wte.weight", v, w).add("wpe.weight", t, w);
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

    static GptWeights of(Parameters p, int layerCount) {
        Layer[] layers = new Layer[layerCount];
        for (int l = 0; l < layerCount; l++) {
            String b = "h." + l + ".";
            layers[l] = new Layer(p.get(b + "ln_1.weight"), p.get(b + "ln_1.bias"),
                    p.get(b + "attn.c_attn.weight"), p.get(b + "attn.c_attn.bias"), p.get(b + "attn.c_proj.weight"), p.get(b + "attn.c_proj.bias"),
                    p.get(b + "ln_2.weight"), p.get(b + "ln_2.bias"),
                    p.get(b + "mlp.c_fc.weight"), p.get(b + "mlp.c_fc.bias"), p.get(b + "mlp.c_proj.weight"), p.get(b + "mlp.c_proj.bias"));
        }
        return new GptWeights(p.get("wte.weight"), p.get("wpe.weight"), layers, p.get("ln_f.weight"), p.get("ln_f.bias"));
    }
}
