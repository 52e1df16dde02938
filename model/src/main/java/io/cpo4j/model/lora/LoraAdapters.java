package io.cpo4j.model.lora;

import io.cpo4j.engine.Rng;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.nn.Parameters;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's LoRA adapters in a {@link Parameters} of their own, so that an adapted model's
 * parameters — what the optimizer, clipping and checkpoints see — are the adapters alone. The
 * adapter of base weight {@code h.0.attn.c_attn.weight} is {@code h.0.attn.c_attn.lora_A.weight}
 * (r, in) and {@code …lora_B.weight} (out, r); the frozen base weights are shared, never copied.
 */
public final class LoraAdapters {

    /** A projection a family can adapt: PEFT's module name for it and its base weight (out, in). */
    public record Target(String module, Tensor weight) {}

    /** An adapter and the base weight it adapts. */
    private record Adapted(Tensor weight, LoraLinear lora) {}

    private final LoraConfig config;
    private final List<Target> chosen;
    private final Parameters params;
    private final List<Adapted> adapted;
    private final Map<Tensor, LoraLinear> byWeight = new IdentityHashMap<>();

    private LoraAdapters(LoraConfig config, List<Target> targets) {
        this.config = config;
        this.chosen = targets.stream().filter(t -> config.targetModules().contains(t.module())).toList();
        Parameters.Builder b = Parameters.builder();
        for (Target t : chosen) {
            int out = t.weight().size(0), in = t.weight().size(1);
            b.add(adapterName(t.weight().name(), "lora_A"), config.r(), in).add(adapterName(t.weight().name(), "lora_B"), out, config.r());
        }
        this.params = b.build();
        this.adapted = new ArrayList<>();
        for (Target t : chosen) {
            LoraLinear lora = new LoraLinear(params.get(adapterName(t.weight().name(), "lora_A")), params.get(adapterName(t.weight().name(), "lora_B")),
                    config.scale(), config.dropout());
            adapted.add(new Adapted(t.weight(), lora));
            byWeight.put(t.weight(), lora);
        }
    }

    /**
     * Adapters for the targets whose module {@code config} names, initialised as PEFT does: A
     * Kaiming-uniform with a = √5 (uniform in ±1/√in), B zero, so the adapted model starts equal to
     * the base. Draws from {@code seed}, in declaration order.
     */
    public static LoraAdapters create(LoraConfig config, List<Target> targets, long seed) {
        LoraAdapters adapters = new LoraAdapters(config, targets);
        Rng rng = new Rng(seed);
        for (Adapted adapted : adapters.adapted) {
            Tensor down = adapted.lora().a();                  // (r, in)
            double bound = 1.0 / Math.sqrt(down.size(1));      // √(6 / ((1 + a²) · fan_in)) with a = √5
            float[] d = down.data();
            for (int i = 0; i < down.size(); i++) d[down.offset() + i] = (float) ((2 * rng.nextDouble() - 1) * bound);
        }
        return adapters;
    }

    /** {@code layers.0.attention.wq.weight} → {@code layers.0.attention.wq.lora_A.weight}. */
    static String adapterName(String baseWeight, String part) {
        if (!baseWeight.endsWith(".weight")) throw new IllegalArgumentException("LoRA: " + baseWeight + " is not a weight");
        return baseWeight.substring(0, baseWeight.length() - ".weight".length()) + "." + part + ".weight";
    }

    /** The base weight name of an adapter tensor: {@code …wq.lora_B.weight} → {@code …wq.weight}. */
    public static String baseWeightName(String adapterTensor) {
        for (String part : new String[] {".lora_A.weight", ".lora_B.weight"}) {
            if (adapterTensor.endsWith(part)) return adapterTensor.substring(0, adapterTensor.length() - part.length()) + ".weight";
        }
        throw new IllegalArgumentException("LoRA: " + adapterTensor + " is not an adapter tensor");
    }

    /** Adapters of the same targets over the same (shared) base weights, with these values; gradients are not copied. */
    public LoraAdapters copy() {
        LoraAdapters c = new LoraAdapters(config, chosen);
        System.arraycopy(params.values(), 0, c.params.values(), 0, params.count());
        return c;
    }

    /** The adapter of a base weight, or null when it has none. */
    public LoraLinear of(Tensor weight) {
        return byWeight.get(weight);
    }

    public LoraConfig config() {
        return config;
    }

    public Parameters parameters() {
        return params;
    }

    /** Adds scale · B A to each adapted weight of {@code target}, found by the base weight's name (a copy of the base). */
    public void mergeInto(Parameters target) {
        for (Adapted a : adapted) a.lora().mergeInto(target.get(a.weight().name()));
    }
}
