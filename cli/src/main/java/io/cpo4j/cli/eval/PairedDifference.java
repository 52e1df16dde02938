package io.cpo4j.cli.eval;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Arm − baseline for one metric on paired items, from {@link PairedBootstrap}.
 *
 * @param arm            the arm's estimate (Σ num / Σ den over all items)
 * @param baseline       the baseline's estimate
 * @param difference     arm − baseline
 * @param low            lower end of the percentile interval of the difference
 * @param high           upper end
 * @param level          the interval's coverage, e.g. 0.95
 * @param shareAboveZero fraction of resamples whose difference is strictly &gt; 0
 * @param pValue         two-sided bootstrap p-value of "no difference":
 *                       min(1, 2 · min(share of resamples ≤ 0, share ≥ 0)); below 0.05 about
 *                       when the 95% interval excludes 0; 0 means below 1 / resamples
 * @param resamples      number of bootstrap resamples
 */
public record PairedDifference(double arm, double baseline, double difference, double low, double high, double level,
                               double shareAboveZero, double pValue, int resamples) {

    /** Whether the interval lies strictly on one side of 0. */
    public boolean excludesZero() {
        return low > 0 || high < 0;
    }

    /** The difference with its interval, method "paired-bootstrap". */
    public Interval interval() {
        return new Interval(difference, low, high, "paired-bootstrap");
    }

    /** For JSON; NaN becomes null. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("arm", Interval.finiteOrNull(arm));
        m.put("baseline", Interval.finiteOrNull(baseline));
        m.put("difference", Interval.finiteOrNull(difference));
        m.put("low", Interval.finiteOrNull(low));
        m.put("high", Interval.finiteOrNull(high));
        m.put("level", level);
        m.put("share_above_zero", shareAboveZero);
        m.put("p_value", pValue);
        m.put("resamples", (long) resamples);
        return m;
    }
}
