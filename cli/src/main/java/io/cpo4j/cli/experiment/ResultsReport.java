package io.cpo4j.cli.experiment;

import io.cpo4j.cli.eval.EvalRow;
import io.cpo4j.cli.eval.EvalTable;
import io.cpo4j.cli.eval.Interval;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The comparisons docs/RESULTS.md states, computed rather than written by hand: for every arm
 * against MLE, at every decoding, whether its interval lies entirely on the better side, entirely
 * on the worse side, or overlaps (no difference shown at this sample size).
 */
public final class ResultsReport {

    private ResultsReport() {}

    /** better / worse / overlap, for a metric where lower is better when {@code lowerIsBetter}. */
    static String verdict(Interval arm, Interval mle, boolean lowerIsBetter) {
        if (arm == null || mle == null) return "—";
        boolean below = arm.high() < mle.low(), above = arm.low() > mle.high();
        if (!below && !above) return "≈";
        return (below == lowerIsBetter) ? "better" : "worse";
    }

    /** One line per arm and decoding: quality, coverage, validity and win rate against MLE's. */
    public static String oracleVerdicts(EvalTable table) {
        Map<String, EvalRow> mle = new java.util.LinkedHashMap<>();
        for (EvalRow r : table.rows()) if (r.model().equals("mle")) mle.put(r.decoding().name(), r);
        if (mle.isEmpty()) return "(no MLE arm to compare with)\n";
        StringBuilder sb = new StringBuilder("| arm | decoding | oracle NLL | coverage NLL | validity | win rate vs truth |\n|---|---|---|---|---|---|\n");
        for (EvalRow r : table.rows()) {
            if (r.model().equals("mle") || r.model().equals("base")) continue;
            EvalRow m = mle.get(r.decoding().name());
            if (m == null) continue;
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |%n", r.model(), r.decoding().name(),
                    verdict(r.metrics().oracleNll(), m.metrics().oracleNll(), true),
                    verdict(r.coverageNll(), m.coverageNll(), true),
                    verdict(r.metrics().validity(), m.metrics().validity(), false),
                    verdict(r.metrics().winRate().rate(), m.metrics().winRate().rate(), false)));
        }
        return sb.toString();
    }

    /** Arms whose held-out NLL interval is below / above MLE's, on a text corpus. */
    public static String textVerdicts(List<TextExperiment.Row> rows) {
        Interval mle = null;
        for (TextExperiment.Row r : rows) if (r.model().equals("mle")) mle = r.nll();
        List<String> lines = new ArrayList<>();
        for (TextExperiment.Row r : rows) {
            if (r.model().equals("mle") || r.model().equals("base") || mle == null) continue;
            lines.add(String.format(Locale.ROOT, "- %s: held-out NLL %s MLE's (%s vs %s)", r.model(),
                    switch (verdict(r.nll(), mle, true)) {
                        case "better" -> "lower than";
                        case "worse" -> "higher than";
                        default -> "not distinguishable from";
                    }, r.nll().format(3), mle.format(3)));
        }
        return String.join("\n", lines) + "\n";
    }
}
