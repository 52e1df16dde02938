package io.cpo4j.model.lora;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/**
 * A LoRA configuration with PEFT's {@code LoraConfig} meanings: rank {@code r}, {@code lora_alpha},
 * {@code lora_dropout} and {@code target_modules}, the projections that get adapters, named as
 * PEFT names them (the last part of the module path: {@code q_proj}, {@code c_attn}, …). An adapted
 * projection computes {@code W x + (alpha / r) · B A dropout(x)}.
 *
 * <p>The names a model family accepts are checked when the adapters are attached ({@link
 * #resolveTargets}); GPT-2's {@code c_proj} means both {@code attn.c_proj} and {@code mlp.c_proj},
 * as PEFT's suffix match does. {@value #ALL_LINEAR}, alone, is PEFT's shorthand for every
 * projection of the blocks (not the output head), expanded to the family's names when attached.
 */
public record LoraConfig(int r, float alpha, float dropout, List<String> targetModules) {

    /** PEFT's {@code target_modules="all-linear"}: every linear projection of the blocks, the output head excepted. */
    public static final String ALL_LINEAR = "all-linear";

    public LoraConfig {
        require(r >= 1, "r must be at least 1, got " + r);
        require(alpha > 0f && Float.isFinite(alpha), "lora_alpha must be positive, got " + alpha);
        require(dropout >= 0f && dropout < 1f, "lora_dropout must be in [0, 1), got " + dropout);
        require(targetModules != null && !targetModules.isEmpty(), "target_modules must name at least one module");
        for (String m : targetModules) require(m != null && !m.isBlank(), "target_modules holds an empty name");
        targetModules = List.copyOf(new LinkedHashSet<>(targetModules));
        require(!targetModules.contains(ALL_LINEAR) || targetModules.size() == 1, ALL_LINEAR + " stands alone in target_modules, got " + targetModules);
    }

    /** Rank, alpha and targets, without dropout. */
    public static LoraConfig of(int r, float alpha, String... targetModules) {
        return new LoraConfig(r, alpha, 0f, List.of(targetModules));
    }

    /** The factor of the adapter's term, {@code alpha / r} (PEFT's {@code scaling}, without rsLoRA). */
    public float scale() {
        return alpha / r;
    }

    /**
     * This config for a family whose projections are {@code allowed}: {@value #ALL_LINEAR} becomes
     * all of them (as PEFT expands it, so the saved {@code target_modules} list the names); other
     * names must be among them.
     */
    public LoraConfig resolveTargets(String family, List<String> allowed) {
        if (targetModules.equals(List.of(ALL_LINEAR))) return new LoraConfig(r, alpha, dropout, allowed);
        requireTargets(family, allowed);
        return this;
    }

    /** Refuses target names that the family does not have, naming the name and the allowed ones. */
    public void requireTargets(String family, List<String> allowed) {
        for (String m : targetModules) {
            if (!allowed.contains(m)) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "LoRA: target module '%s' is not a %s projection; allowed: %s (or %s)",
                        m, family, String.join(", ", allowed), ALL_LINEAR));
            }
        }
    }

    private static void require(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException("LoRA config: " + message);
    }
}
