package io.cpo4j.cli.eval;

import io.cpo4j.cli.judge.Preference;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.ToDoubleFunction;

/**
 * Every arm against one baseline on every metric, from per-seed lists of per-prompt samples
 * (one inner list per training seed, the same prompts in the same order for every method): the
 * paired differences ({@link PairedBootstrap}), an optional head-to-head column
 * ({@link HeadToHead}), the paper's table ({@link PairedTable}) and a JSON form. All bootstraps
 * use the same seed, so every metric sees the same resampled items.
 *
 * <pre>{@code
 * // per method: one List<ScoredContinuation> per training seed, ScoredContinuation.all(oracle, samples)
 * var cmp = new PairedComparison<>("MLE", mle, List.of(ScoredContinuation.oracleNll(3),
 *                 ScoredContinuation.validity(3), ScoredContinuation.lengthRatio(2)), seed)
 *         .headToHead("win rate vs MLE", ScoredContinuation::judge)
 *         .arm("CPO", cpo)
 *         .arm("DPO", dpo);
 * String md = cmp.table().markdown();
 * }</pre>
 */
public final class PairedComparison<T> {

    /** A metric of one sample: numerator / denominator (denominator 1 for a plain metric). */
    public record Metric<T>(String name, Better better, int decimals, ToDoubleFunction<? super T> numerator, ToDoubleFunction<? super T> denominator) {

        public static <T> Metric<T> ratio(String name, Better better, int decimals, ToDoubleFunction<? super T> numerator, ToDoubleFunction<? super T> denominator) {
            return new Metric<>(name, better, decimals, numerator, denominator);
        }

        public static <T> Metric<T> plain(String name, Better better, int decimals, ToDoubleFunction<? super T> value) {
            return new Metric<>(name, better, decimals, value, t -> 1);
        }
    }

    /** One arm's results: a paired difference per metric, in metric order, and the head-to-head (null without that column). */
    public record Arm(String name, List<PairedDifference> differences, WinRate headToHead) {}

    private final String baselineName;
    private final List<? extends List<? extends T>> baseline;
    private final List<Metric<T>> metrics;
    private final long seed;
    private final List<Arm> arms = new ArrayList<>();
    private String headToHeadName;
    private BiFunction<? super T, ? super T, Preference> judge;

    public PairedComparison(String baselineName, List<? extends List<? extends T>> baseline, List<Metric<T>> metrics, long seed) {
        this.baselineName = baselineName;
        this.baseline = baseline;
        this.metrics = List.copyOf(metrics);
        this.seed = seed;
    }

    /** Adds a win-rate column; {@code judge(armSample, baselineSample)} answers A when the arm's sample wins. Call before {@link #arm}. */
    public PairedComparison<T> headToHead(String columnName, BiFunction<? super T, ? super T, Preference> judge) {
        if (!arms.isEmpty()) throw new IllegalStateException("paired comparison: add the head-to-head column before the arms");
        this.headToHeadName = columnName;
        this.judge = Objects.requireNonNull(judge);
        return this;
    }

    /** Compares one arm's samples with the baseline's on every metric. */
    public PairedComparison<T> arm(String name, List<? extends List<? extends T>> samples) {
        List<PairedDifference> diffs = new ArrayList<>(metrics.size());
        for (Metric<T> m : metrics) {
            PairedItems items = PairedItems.of(samples, baseline, m.numerator(), m.denominator());
            diffs.add(PairedBootstrap.difference(items, seed));
        }
        arms.add(new Arm(name, List.copyOf(diffs), judge == null ? null : HeadToHead.of(verdicts(name, samples), seed)));
        return this;
    }

    private List<List<Preference>> verdicts(String name, List<? extends List<? extends T>> samples) {
        if (samples.size() != baseline.size())
            throw new IllegalArgumentException("paired comparison: " + name + " has " + samples.size() + " seeds but " + baselineName + " " + baseline.size());
        List<List<Preference>> out = new ArrayList<>(samples.size());
        for (int s = 0; s < samples.size(); s++) {
            List<? extends T> a = samples.get(s), b = baseline.get(s);
            if (a.size() != b.size())
                throw new IllegalArgumentException("paired comparison: seed " + s + " has " + a.size() + " prompts for " + name + " but " + b.size() + " for " + baselineName);
            List<Preference> v = new ArrayList<>(a.size());
            for (int i = 0; i < a.size(); i++) v.add(judge.apply(a.get(i), b.get(i)));
            out.add(v);
        }
        return out;
    }

    public List<Arm> arms() {
        return List.copyOf(arms);
    }

    /** The baseline's estimate of every metric, in metric order. */
    public List<Double> baselineEstimates() {
        List<Double> out = new ArrayList<>(metrics.size());
        for (Metric<T> m : metrics) out.add(ItemValues.of(baseline, m.numerator(), m.denominator()).estimate());
        return out;
    }

    /** Rows: the baseline, then the arms in the order added; columns: the metrics, then the head-to-head if any. */
    public PairedTable table() {
        List<PairedTable.Column> columns = new ArrayList<>();
        for (Metric<T> m : metrics) columns.add(new PairedTable.Column(m.name(), m.better(), m.decimals()));
        if (judge != null) columns.add(new PairedTable.Column(headToHeadName, Better.HIGHER, 3));
        PairedTable table = new PairedTable("method", columns);
        List<PairedTable.Cell> base = new ArrayList<>();
        for (double e : baselineEstimates()) base.add(PairedTable.Cell.value(e));
        if (judge != null) base.add(PairedTable.Cell.empty());
        table.row(baselineName, base);
        for (Arm a : arms) {
            List<PairedTable.Cell> cells = new ArrayList<>();
            for (PairedDifference d : a.differences()) cells.add(PairedTable.Cell.paired(d));
            if (judge != null) cells.add(PairedTable.Cell.headToHead(a.headToHead()));
            table.row(a.name(), cells);
        }
        return table;
    }

    /** {"baseline", "arms": {name: {metric: difference…, head_to_head?}}}. */
    public Map<String, Object> toJson() {
        Map<String, Object> armsJson = new LinkedHashMap<>();
        for (Arm a : arms) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (int k = 0; k < metrics.size(); k++) m.put(metrics.get(k).name(), a.differences().get(k).toJson());
            if (a.headToHead() != null) m.put(headToHeadName, a.headToHead().toJson());
            armsJson.put(a.name(), m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("baseline", baselineName);
        out.put("arms", armsJson);
        return out;
    }
}
