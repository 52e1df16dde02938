package io.cpo4j.cli;

import io.cpo4j.model.lm.LanguageModel;
import io.cpo4j.model.lora.LoraConfig;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code finetune}'s LoRA flags, named after PEFT's {@code LoraConfig} fields ({@code r},
 * {@code lora_alpha}, {@code lora_dropout}, {@code target_modules}) and with its defaults:
 * {@code --lora-r} turns LoRA on, the others only refine it.
 */
final class LoraFlags {

    static final String R = "lora-r", ALPHA = "lora-alpha", DROPOUT = "lora-dropout", TARGET = "lora-target";
    static final List<String> NAMES = List.of(R, ALPHA, DROPOUT, TARGET);

    /** PEFT's defaults: lora_alpha 8, lora_dropout 0.0. */
    static final float DEFAULT_ALPHA = 8f, DEFAULT_DROPOUT = 0f;
    /** Largest rank accepted (PEFT's folders are read back up to this rank). */
    static final int MAX_R = 1 << 16;

    /**
     * PEFT's {@code TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING} for the families cpo4j
     * loads: the projections adapted when {@code --lora-target} is not given.
     */
    static final Map<String, List<String>> DEFAULT_TARGETS = Map.of(
            "gpt2", List.of("c_attn"),
            "llama", List.of("q_proj", "v_proj"),
            "mistral", List.of("q_proj", "v_proj"),
            "qwen2", List.of("q_proj", "v_proj"),
            "qwen3", List.of("q_proj", "v_proj"));

    private LoraFlags() {}

    /** Whether the flags ask for LoRA; a --lora-* flag without --lora-r is a usage error naming it. */
    static boolean requested(Options o) {
        if (o.value(R).isPresent()) return true;
        for (String name : NAMES) {
            if (o.value(name).isPresent()) throw o.usage("--" + name + " needs --" + R + " (the LoRA rank, which turns LoRA on)");
        }
        return false;
    }

    /** The flags' configuration for a model of {@code modelType}, or empty without --lora-r; bad values are usage errors naming the flag. */
    static Optional<LoraConfig> parse(Options o, String modelType) {
        if (!requested(o)) return Optional.empty();
        int r = o.integer(R, 0, 1, MAX_R);
        float alpha = o.positiveFloat(ALPHA, DEFAULT_ALPHA);
        float dropout = o.floatNumber(DROPOUT, DEFAULT_DROPOUT, 0, 1);
        if (dropout >= 1f) throw o.usage("--" + DROPOUT + " must be below 1, got " + dropout);
        List<String> targets = o.value(TARGET).map(v -> Arrays.stream(v.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList())
                .orElseGet(() -> DEFAULT_TARGETS.getOrDefault(modelType, List.of()));
        if (targets.isEmpty()) {
            throw o.usage(o.value(TARGET).isPresent() ? "--" + TARGET + " names no module" : "--" + TARGET + " is needed: no default targets for " + modelType + " models");
        }
        return Optional.of(new LoraConfig(r, alpha, dropout, targets));
    }

    /** {@code base} with fresh adapters; a target the family does not have is a usage error naming --lora-target. */
    static LanguageModel attach(Options o, LanguageModel base, LoraConfig config, long seed) {
        try {
            return base.withLora(config, seed);
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            throw o.usage("--" + TARGET + ": " + e.getMessage());
        }
    }

    /** The configuration as the run's config.json records it (PEFT's field names). */
    static Map<String, Object> toJson(LoraConfig c) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("r", (long) c.r());
        m.put("lora_alpha", (double) c.alpha());
        m.put("lora_dropout", (double) c.dropout());
        m.put("target_modules", c.targetModules());
        return m;
    }

    static String help() {
        return """
                LoRA (PEFT's LoraConfig: the base frozen, adapters W x + (α/r)·B A x trained; the reference of the
                contrastive losses is the base with the adapters off, so no second copy of the model)
                  --lora-r R             the rank r; turns LoRA on (every other --lora-* flag needs it)
                  --lora-alpha A         lora_alpha (default 8, PEFT's); the adapters are scaled by A/R
                  --lora-dropout P       lora_dropout on the adapters' input while training (default 0.0)
                  --base-dtype D         the frozen base's matrices in bf16 or f16 (half the memory, read as they
                                         are; norms and biases stay float32) or f32 (default); bf16/f16 need --lora-r
                  --lora-target M[,M…]   target_modules (default, as PEFT's per-family mapping: c_attn for gpt2,
                                         q_proj,v_proj for llama, mistral, qwen2, qwen3); gpt2 has c_attn, c_proj,
                                         c_fc; the Llama family q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj,
                                         down_proj; all-linear (PEFT's) is every one of them
                  with LoRA the run folder holds adapter/ (PEFT's adapter_config.json + adapter_model.safetensors,
                  base_model_name_or_path = the --model folder, with the tokenizer files) instead of model/;
                  use it with generate / eval --adapter, or ./cpo4j merge for a full model folder
                """;
    }
}
