package io.cpo4j.cli.eval;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An estimate with a confidence interval and the name of the method that produced it
 * ("wilson", "bootstrap", or "none" for a point estimate).
 */
public record Interval(double estimate, double low, double high, String method) {

    /** The normal quantile of a two-sided 95% interval. */
    public static final double Z95 = 1.959963984540054;

    /** A point estimate without an interval (low = high = estimate). */
    public static Interval point(double estimate) {
        return new Interval(estimate, estimate, estimate, "none");
    }

    /**
     * The Wilson score interval of a proportion {@code successes / n} (Wilson 1927; Agresti &
     * Coull 1998): well behaved near 0 and 1 and for small n, unlike the Wald interval.
     * {@code successes} may be fractional (a tie counts ½); since a tie has less variance than a
     * coin flip, the interval is then conservative (wider than needed). For n = 0: estimate NaN,
     * interval [0, 1].
     */
    public static Interval wilson(double successes, long n, double z) {
        if (n < 0 || successes < 0 || successes > n) throw new IllegalArgumentException("wilson: " + successes + " of " + n);
        if (n == 0) return new Interval(Double.NaN, 0, 1, "wilson");
        double p = successes / n, z2 = z * z;
        double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
        double half = z / (1 + z2 / n) * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
        return new Interval(p, Math.max(0, centre - half), Math.min(1, centre + half), "wilson");
    }

    /** The 95% Wilson interval. */
    public static Interval wilson95(double successes, long n) {
        return wilson(successes, n, Z95);
    }

    public double halfWidth() {
        return (high - low) / 2;
    }

    /** "0.512 [0.470, 0.554]" with the given number of decimals; "—" for NaN. */
    public String format(int decimals) {
        if (Double.isNaN(estimate)) return "—";
        String f = "%." + decimals + "f";
        if (method.equals("none")) return String.format(java.util.Locale.ROOT, f, estimate);
        return String.format(java.util.Locale.ROOT, f + " [" + f + ", " + f + "]", estimate, low, high);
    }

    /** For JSON: {"estimate", "low", "high", "method"}; NaN becomes null. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("estimate", finiteOrNull(estimate));
        m.put("low", finiteOrNull(low));
        m.put("high", finiteOrNull(high));
        m.put("method", method);
        return m;
    }

    static Double finiteOrNull(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
