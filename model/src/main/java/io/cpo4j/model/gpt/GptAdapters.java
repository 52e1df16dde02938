package io.cpo4j.model.gpt;

import io.cpo4j.model.lora.LoraAdapters;
import io.cpo4j.model.lora.LoraConfig;
import io.cpo4j.model.lora.LoraLinear;

import java.util.ArrayList;
import java.util.List;

/**
 * A GPT-2's LoRA adapters, typed per layer and looked up once, so a block reads fields instead of
 * names. PEFT's {@code c_proj} adapts both {@code attn.c_proj} and {@code mlp.c_proj}.
 */
record GptAdapters(LoraAdapters all, Layer[] layers) {

    /** The module names PEFT's {@code target_modules} may hold for GPT-2. */
    static final List<String> MODULES = List.of("c_attn", "c_proj", "c_fc");

    /** One block's adapters; null where a projection has none. */
    record Layer(LoraLinear cAttn, LoraLinear attnProj, LoraLinear fc, LoraLinear mlpProj) {
        static final Layer NONE = new Layer(null, null, null, null);
    }

    static GptAdapters create(GptWeights w, LoraConfig config, long seed) {
        LoraConfig resolved = config.resolveTargets("GPT-2", MODULES);
        List<LoraAdapters.Target> targets = new ArrayList<>();
        for (GptWeights.Layer l : w.layers()) {
            targets.add(new LoraAdapters.Target("c_attn", l.qkvWeight()));
            targets.add(new LoraAdapters.Target("c_proj", l.attnOutWeight()));
            targets.add(new LoraAdapters.Target("c_fc", l.fcWeight()));
            targets.add(new LoraAdapters.Target("c_proj", l.fcOutWeight()));
        }
        return of(LoraAdapters.create(resolved, targets, seed), w);
    }

    static GptAdapters of(LoraAdapters all, GptWeights w) {
        Layer[] layers = new Layer[w.layers().length];
        for (int i = 0; i < layers.length; i++) {
            GptWeights.Layer l = w.layers()[i];
            layers[i] = new Layer(all.of(l.qkvWeight()), all.of(l.attnOutWeight()), all.of(l.fcWeight()), all.of(l.fcOutWeight()));
        }
        return new GptAdapters(all, layers);
    }
}
