package io.cpo4j.cli;

import io.cpo4j.engine.DType;

import java.util.Locale;
import java.util.Map;

/**
 * {@code --base-dtype bf16|f16|f32}: how the base model's matrices are held, as transformers'
 * {@code torch_dtype}. bf16 and f16 take half the bytes and make the base frozen (it generates,
 * scores and carries LoRA adapters; it cannot train itself); norms and biases stay float32.
 */
final class BaseDTypeFlag {

    static final String NAME = "base-dtype";
    private static final Map<String, DType> VALUES = Map.of("bf16", DType.BF16, "f16", DType.F16, "f32", DType.F32);

    private BaseDTypeFlag() {}

    /** The flag's dtype, F32 when absent; anything else is a usage error naming the choices. */
    static DType parse(Options o) {
        String v = o.value(NAME).orElse("f32");
        DType d = VALUES.get(v.toLowerCase(Locale.ROOT));
        if (d == null) throw o.usage("--" + NAME + " must be bf16, f16 or f32, got '" + v + "'");
        return d;
    }

    /** The flag's value as given on the command line and in a run's config (bf16, f16, f32). */
    static String name(DType d) {
        return switch (d) {
            case BF16 -> "bf16";
            case F16 -> "f16";
            case F32 -> "f32";
        };
    }
}
