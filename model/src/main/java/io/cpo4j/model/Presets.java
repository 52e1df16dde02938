package io.cpo4j.model;

import io.cpo4j.model.gpt.GptConfig;
import io.cpo4j.model.llama.LlamaConfig;
import io.cpo4j.model.lm.ModelConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Model shapes by name, across families: GPT-2's sizes and the Llama family's real shapes (random init). */
public final class Presets {

    private Presets() {}

    /** Every preset name: tiny, gpt2 … gpt2-xl, llama-tiny, smollm2-135m, smollm2-360m, qwen2.5-0.5b, llama-3.2-1b, open-llama-3b. */
    public static List<String> names() {
        List<String> all = new ArrayList<>(GptConfig.presets());
        all.addAll(LlamaConfig.presets());
        return all;
    }

    /** A preset by name; an unknown name is an {@link IllegalArgumentException} listing them all. */
    public static ModelConfig of(String name) {
        String key = name.toLowerCase(Locale.ROOT);
        if (GptConfig.presets().contains(key)) return GptConfig.preset(key);
        if (LlamaConfig.presets().contains(key)) return LlamaConfig.preset(key);
        throw new IllegalArgumentException("unknown model preset '" + name + "'; presets: " + names());
    }
}
