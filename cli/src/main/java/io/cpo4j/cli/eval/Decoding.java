package io.cpo4j.cli.eval;

import java.util.List;
import java.util.Locale;

/**
 * A decoding setting of an evaluation: sampling at a temperature, or greedy (temperature 0).
 * Every method is evaluated at all of {@link #SWEEP}, because lowering the temperature alone
 * buys sample quality at the cost of diversity (Caccia et al. 2018, "Language GANs falling
 * short"): a method is better only if it moves the whole quality–coverage curve.
 */
public record Decoding(String name, double temperature) {

    public static final Decoding GREEDY = new Decoding("greedy", 0);

    /** Temperatures 0.7, 0.85, 1.0, 1.15, then greedy. */
    public static final List<Decoding> SWEEP = List.of(temperature(0.7), temperature(0.85), temperature(1.0), temperature(1.15), GREEDY);

    public Decoding {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) throw new IllegalArgumentException("temperature must be ≥ 0, got " + temperature);
    }

    /** Sampling at temperature t > 0, named "T=0.85". */
    public static Decoding temperature(double t) {
        if (!(t > 0)) throw new IllegalArgumentException("sampling temperature must be > 0, got " + t + " (use GREEDY)");
        return new Decoding(String.format(Locale.ROOT, "T=%.2f", t), t);
    }

    public boolean greedy() {
        return temperature == 0;
    }
}
