package io.cpo4j.cli.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * One model's values of one metric per item (training seed s, prompt i), as a numerator and a
 * denominator each, so that ratio metrics aggregate as totals: the estimate over any set of items
 * is Σ numerator / Σ denominator (oracle NLL per token = Σ nats / Σ tokens; length ratio =
 * Σ candidate words / Σ truth words). A plain per-item metric has denominator 1, and its
 * estimate is the mean. Seeds may hold different numbers of prompts; none may be empty.
 * Numerators must be finite and denominators finite and &gt; 0.
 */
public final class ItemValues {

    private final double[][] numerators;    // (S)(n_s)
    private final double[][] denominators;  // (S)(n_s)

    private ItemValues(double[][] numerators, double[][] denominators) {
        this.numerators = numerators;
        this.denominators = denominators;
    }

    /** Per seed, per-prompt numerators and denominators (copied). */
    public static ItemValues ratio(List<double[]> numerators, List<double[]> denominators) {
        if (numerators.size() != denominators.size())
            throw new IllegalArgumentException("item values: " + numerators.size() + " seeds of numerators but " + denominators.size() + " of denominators");
        if (numerators.isEmpty()) throw new IllegalArgumentException("item values: no seeds");
        int seeds = numerators.size();
        double[][] num = new double[seeds][], den = new double[seeds][];
        for (int s = 0; s < seeds; s++) {
            num[s] = numerators.get(s).clone();
            den[s] = denominators.get(s).clone();
            if (num[s].length != den[s].length)
                throw new IllegalArgumentException("item values: seed " + s + " has " + num[s].length + " numerators but " + den[s].length + " denominators");
            if (num[s].length == 0) throw new IllegalArgumentException("item values: seed " + s + " has no prompts");
            for (int i = 0; i < num[s].length; i++) {
                if (!Double.isFinite(num[s][i])) throw new IllegalArgumentException("item values: seed " + s + ", prompt " + i + ": numerator " + num[s][i]);
                if (!(den[s][i] > 0) || !Double.isFinite(den[s][i]))
                    throw new IllegalArgumentException("item values: seed " + s + ", prompt " + i + ": denominator " + den[s][i] + " (must be finite and > 0)");
            }
        }
        return new ItemValues(num, den);
    }

    /** Per seed, per-prompt values of a plain metric (denominator 1). */
    public static ItemValues plain(List<double[]> values) {
        List<double[]> ones = new ArrayList<>(values.size());
        for (double[] v : values) {
            double[] one = new double[v.length];
            Arrays.fill(one, 1);
            ones.add(one);
        }
        return ratio(values, ones);
    }

    /** From per-seed lists of per-prompt samples: {@code numerator(sample) / denominator(sample)} per item. */
    public static <T> ItemValues of(List<? extends List<? extends T>> samplesPerSeed, ToDoubleFunction<? super T> numerator, ToDoubleFunction<? super T> denominator) {
        List<double[]> num = new ArrayList<>(), den = new ArrayList<>();
        for (List<? extends T> samples : samplesPerSeed) {
            double[] n = new double[samples.size()], d = new double[samples.size()];
            for (int i = 0; i < n.length; i++) {
                n[i] = numerator.applyAsDouble(samples.get(i));
                d[i] = denominator.applyAsDouble(samples.get(i));
            }
            num.add(n);
            den.add(d);
        }
        return ratio(num, den);
    }

    /** From per-seed lists of per-prompt samples of a plain metric. */
    public static <T> ItemValues of(List<? extends List<? extends T>> samplesPerSeed, ToDoubleFunction<? super T> value) {
        return of(samplesPerSeed, value, t -> 1);
    }

    public int seeds() {
        return numerators.length;
    }

    public int prompts(int seed) {
        return numerators[seed].length;
    }

    /** Prompts per seed, (S). */
    public int[] promptsPerSeed() {
        int[] n = new int[numerators.length];
        for (int s = 0; s < n.length; s++) n[s] = numerators[s].length;
        return n;
    }

    public int items() {
        int n = 0;
        for (double[] v : numerators) n += v.length;
        return n;
    }

    public double numerator(int seed, int prompt) {
        return numerators[seed][prompt];
    }

    public double denominator(int seed, int prompt) {
        return denominators[seed][prompt];
    }

    /** The item's own value, numerator / denominator. */
    public double value(int seed, int prompt) {
        return numerators[seed][prompt] / denominators[seed][prompt];
    }

    /** Σ numerator / Σ denominator over all items. */
    public double estimate() {
        double num = 0, den = 0;
        for (int s = 0; s < numerators.length; s++) {
            for (int i = 0; i < numerators[s].length; i++) {
                num += numerators[s][i];
                den += denominators[s][i];
            }
        }
        return num / den;
    }

    /** The estimate over a resample: item (s, i) counted {@code counts[s][i]} times, (S)(n_s). */
    double estimate(int[][] counts) {
        double num = 0, den = 0;
        for (int s = 0; s < numerators.length; s++) {
            int[] c = counts[s];
            for (int i = 0; i < c.length; i++) {
                if (c[i] == 0) continue;
                num += c[i] * numerators[s][i];
                den += c[i] * denominators[s][i];
            }
        }
        return num / den;
    }
}
