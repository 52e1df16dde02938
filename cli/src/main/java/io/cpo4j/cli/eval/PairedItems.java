package io.cpo4j.cli.eval;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * One metric of an arm and of the baseline on the same items: per training seed s the same
 * prompts, in the same order, generated with the same sampling seeds. Item (s, i) of the arm is
 * paired with item (s, i) of the baseline; {@link PairedBootstrap} resamples them together.
 */
public record PairedItems(ItemValues arm, ItemValues baseline) {

    public PairedItems {
        Objects.requireNonNull(arm, "paired items: arm");
        Objects.requireNonNull(baseline, "paired items: baseline");
        if (arm.seeds() != baseline.seeds())
            throw new IllegalArgumentException("paired items: the arm has " + arm.seeds() + " seeds but the baseline " + baseline.seeds());
        for (int s = 0; s < arm.seeds(); s++) {
            if (arm.prompts(s) != baseline.prompts(s))
                throw new IllegalArgumentException("paired items: seed " + s + " has " + arm.prompts(s) + " arm prompts but " + baseline.prompts(s) + " baseline prompts");
        }
    }

    /** A plain metric (denominator 1): per seed, per-prompt values of the arm and of the baseline. */
    public static PairedItems plain(List<double[]> arm, List<double[]> baseline) {
        return new PairedItems(ItemValues.plain(arm), ItemValues.plain(baseline));
    }

    /** A ratio metric: per seed, per-prompt numerators and denominators of the arm and of the baseline. */
    public static PairedItems ratio(List<double[]> armNumerators, List<double[]> armDenominators,
                                    List<double[]> baselineNumerators, List<double[]> baselineDenominators) {
        return new PairedItems(ItemValues.ratio(armNumerators, armDenominators), ItemValues.ratio(baselineNumerators, baselineDenominators));
    }

    /**
     * From per-seed lists of per-prompt samples (e.g. {@code List<List<ContinuationSample>>} with
     * one inner list per training seed, prompts in the same order for both).
     */
    public static <T> PairedItems of(List<? extends List<? extends T>> arm, List<? extends List<? extends T>> baseline,
                                     ToDoubleFunction<? super T> numerator, ToDoubleFunction<? super T> denominator) {
        return new PairedItems(ItemValues.of(arm, numerator, denominator), ItemValues.of(baseline, numerator, denominator));
    }

    /** From per-seed lists of per-prompt samples of a plain metric. */
    public static <T> PairedItems of(List<? extends List<? extends T>> arm, List<? extends List<? extends T>> baseline, ToDoubleFunction<? super T> value) {
        return new PairedItems(ItemValues.of(arm, value), ItemValues.of(baseline, value));
    }

    /**
     * Checks that both sides have the same shape and, item by item, the same prompt (by
     * {@code prompt(sample)}, compared with equals); throws naming the first item that differs.
     */
    public static <T> void requireSamePrompts(List<? extends List<? extends T>> arm, List<? extends List<? extends T>> baseline, Function<? super T, ?> prompt) {
        if (arm.size() != baseline.size())
            throw new IllegalArgumentException("paired items: the arm has " + arm.size() + " seeds but the baseline " + baseline.size());
        for (int s = 0; s < arm.size(); s++) {
            List<? extends T> a = arm.get(s), b = baseline.get(s);
            if (a.size() != b.size())
                throw new IllegalArgumentException("paired items: seed " + s + " has " + a.size() + " arm prompts but " + b.size() + " baseline prompts");
            for (int i = 0; i < a.size(); i++) {
                if (!Objects.equals(prompt.apply(a.get(i)), prompt.apply(b.get(i))))
                    throw new IllegalArgumentException("paired items: seed " + s + ", prompt " + i + ": the arm's prompt differs from the baseline's");
            }
        }
    }

    public int seeds() {
        return arm.seeds();
    }

    public int items() {
        return arm.items();
    }
}
