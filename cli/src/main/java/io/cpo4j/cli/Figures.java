package io.cpo4j.cli;

import io.cpo4j.model.gpt.GptConfig;
import io.cpo4j.model.lm.ModelConfig;

import java.util.Locale;

/** How the command line prints sizes: models, byte counts, token counts. */
final class Figures {

    private Figures() {}

    /** "a GPT-2 of 0.81M parameters (vocab 512, context 128, 4 layers, 4 heads, width 128, dropout 0.0)". */
    static String model(ModelConfig m) {
        if (!(m instanceof GptConfig c)) {
            return String.format(Locale.ROOT, "a %s of %s parameters (vocab %d, context %d, %d layers, %d heads sharing %d K/V heads, width %d)",
                    m.modelType(), count(m.parameterCount()), m.vocabSize(), m.contextLength(), m.layers(), m.heads(), m.kvHeads(), m.width());
        }
        return String.format(Locale.ROOT, "a GPT-2 of %s parameters (vocab %d, context %d, %d layers, %d heads, width %d, dropout %s)",
                count(c.parameterCount()), c.vocabSize(), c.contextLength(), c.layers(), c.heads(), c.width(), c.dropout());
    }

    /** 1234 → "1.2k", 81_000_000 → "81.0M", 1.5e9 → "1.50B". */
    static String count(long n) {
        if (n >= 1_000_000_000L) return String.format(Locale.ROOT, "%.2fB", n / 1e9);
        if (n >= 1_000_000L) return String.format(Locale.ROOT, "%.2fM", n / 1e6);
        if (n >= 1_000L) return String.format(Locale.ROOT, "%.1fk", n / 1e3);
        return Long.toString(n);
    }

    /** A knob as a person types it, to 6 significant digits: 3.0E-4f → "0.0003", 1.00000005E-4f → "0.0001". */
    static String number(double v) {
        if (!Double.isFinite(v)) return Double.toString(v);
        if (v == 0) return "0";
        return new java.math.BigDecimal(v).round(new java.math.MathContext(6)).stripTrailingZeros().toString();
    }

    static String bytes(long b) {
        if (b >= 1L << 30) return String.format(Locale.ROOT, "%.2f GiB", b / (double) (1L << 30));
        if (b >= 1L << 20) return String.format(Locale.ROOT, "%.1f MiB", b / (double) (1L << 20));
        return String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
    }
}
