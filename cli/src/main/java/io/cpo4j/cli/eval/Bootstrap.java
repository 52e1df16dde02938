package io.cpo4j.cli.eval;

import io.cpo4j.engine.Rng;

import java.util.Arrays;

/**
 * Percentile bootstrap intervals (Efron 1979), seeded so that the same data always give the same
 * interval. Items (documents, continuations) are resampled with replacement, which keeps the
 * tokens of one item together: per-token NLL is a ratio Σ nll / Σ tokens over items.
 */
public final class Bootstrap {

    /** Resamples used by the 95% helpers. */
    public static final int RESAMPLES = 2000;

    private Bootstrap() {}

    /** 95% interval of Σ numerators / Σ denominators over items (e.g. NLL per token). */
    public static Interval ratio95(double[] numerators, double[] denominators, long seed) {
        return ratio(numerators, denominators, RESAMPLES, 0.95, seed);
    }

    /** 95% interval of the mean of per-item values. */
    public static Interval mean95(double[] values, long seed) {
        double[] ones = new double[values.length];
        Arrays.fill(ones, 1);
        return ratio(values, ones, RESAMPLES, 0.95, seed);
    }

    public static Interval ratio(double[] numerators, double[] denominators, int resamples, double level, long seed) {
        int n = numerators.length;
        if (denominators.length != n) throw new IllegalArgumentException("bootstrap: " + n + " numerators but " + denominators.length + " denominators");
        if (!(level > 0 && level < 1) || resamples < 1) throw new IllegalArgumentException("bootstrap: level " + level + ", resamples " + resamples);
        if (n == 0) return new Interval(Double.NaN, Double.NaN, Double.NaN, "bootstrap");
        double estimate = sum(numerators) / sum(denominators);
        Rng rng = new Rng(seed);
        double[] stats = new double[resamples];
        for (int r = 0; r < resamples; r++) {
            double num = 0, den = 0;
            for (int i = 0; i < n; i++) {
                int k = rng.nextInt(n);
                num += numerators[k];
                den += denominators[k];
            }
            stats[r] = num / den;
        }
        Arrays.sort(stats);
        double alpha = (1 - level) / 2;
        return new Interval(estimate, quantile(stats, alpha), quantile(stats, 1 - alpha), "bootstrap");
    }

    /** Linear interpolation between order statistics (type 7, numpy's default). */
    static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    private static double sum(double[] xs) {
        double s = 0;
        for (double x : xs) s += x;
        return s;
    }
}
