package io.cpo4j.cli.eval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lengths of generated continuations against their ground truths (in words or tokens),
 * item by item: a method that "wins" by stopping early or rambling shows up here.
 *
 * @param meanCandidate   mean candidate length
 * @param meanReference   mean ground-truth length
 * @param ratio           meanCandidate / meanReference (NaN if the references are empty)
 * @param meanAbsoluteDifference mean |candidate − reference| over items
 * @param shorterFraction fraction of items where the candidate is shorter than the truth
 */
public record LengthStats(double meanCandidate, double meanReference, double ratio, double meanAbsoluteDifference, double shorterFraction) {

    public static LengthStats of(List<? extends List<?>> candidates, List<? extends List<?>> references) {
        int n = candidates.size();
        if (references.size() != n) throw new IllegalArgumentException("length stats: " + n + " candidates but " + references.size() + " references");
        if (n == 0) return new LengthStats(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        double c = 0, r = 0, diff = 0, shorter = 0;
        for (int i = 0; i < n; i++) {
            int a = candidates.get(i).size(), b = references.get(i).size();
            c += a;
            r += b;
            diff += Math.abs(a - b);
            if (a < b) shorter++;
        }
        return new LengthStats(c / n, r / n, r == 0 ? Double.NaN : c / r, diff / n, shorter / n);
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mean_candidate", Interval.finiteOrNull(meanCandidate));
        m.put("mean_reference", Interval.finiteOrNull(meanReference));
        m.put("ratio", Interval.finiteOrNull(ratio));
        m.put("mean_absolute_difference", Interval.finiteOrNull(meanAbsoluteDifference));
        m.put("shorter_fraction", Interval.finiteOrNull(shorterFraction));
        return m;
    }
}
