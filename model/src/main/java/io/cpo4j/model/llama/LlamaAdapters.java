package io.cpo4j.model.llama;

import io.cpo4j.model.lora.LoraAdapters;
import io.cpo4j.model.lora.LoraConfig;
import io.cpo4j.model.lora.LoraLinear;

import java.util.ArrayList;
import java.util.List;

/** A Llama-family model's LoRA adapters, typed per layer and looked up once, so a block reads fields instead of names. */
record LlamaAdapters(LoraAdapters all, Layer[] layers) {

    /** The module names PEFT's {@code target_modules} may hold for the Llama family. */
    static final List<String> MODULES = List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");

    /** One block's adapters; null where a projection has none. */
    record Layer(LoraLinear q, LoraLinear k, LoraLinear v, LoraLinear o, LoraLinear gate, LoraLinear up, LoraLinear down) {
        static final Layer NONE = new Layer(null, null, null, null, null, null, null);
    }

    static LlamaAdapters create(LlamaWeights w, LoraConfig config, String family, long seed) {
        LoraConfig resolved = config.resolveTargets(family, MODULES);
        List<LoraAdapters.Target> targets = new ArrayList<>();
        for (LlamaWeights.Layer l : w.layers()) {
            targets.add(new LoraAdapters.Target("q_proj", l.wq()));
            targets.add(new LoraAdapters.Target("k_proj", l.wk()));
            targets.add(new LoraAdapters.Target("v_proj", l.wv()));
            targets.add(new LoraAdapters.Target("o_proj", l.wo()));
            targets.add(new LoraAdapters.Target("gate_proj", l.gate()));
            targets.add(new LoraAdapters.Target("up_proj", l.up()));
            targets.add(new LoraAdapters.Target("down_proj", l.down()));
        }
        return of(LoraAdapters.create(resolved, targets, seed), w);
    }

    static LlamaAdapters of(LoraAdapters all, LlamaWeights w) {
        Layer[] layers = new Layer[w.layers().length];
        for (int i = 0; i < layers.length; i++) {
            LlamaWeights.Layer l = w.layers()[i];
            layers[i] = new Layer(all.of(l.wq()), all.of(l.wk()), all.of(l.wv()), all.of(l.wo()), all.of(l.gate()), all.of(l.up()), all.of(l.down()));
        }
        return new LlamaAdapters(all, layers);
    }
}
