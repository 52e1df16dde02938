package io.cpo4j.cli.experiment;

import io.cpo4j.cli.eval.Better;
import io.cpo4j.cli.eval.Decoding;
import io.cpo4j.cli.eval.PairedBootstrap;
import io.cpo4j.cli.eval.PairedComparison;
import io.cpo4j.cli.eval.PairedDifference;
import io.cpo4j.cli.eval.PairedItems;
import io.cpo4j.cli.eval.PairedTable;
import io.cpo4j.cli.eval.PairedTable.Cell;
import io.cpo4j.cli.eval.PairedTable.Column;
import io.cpo4j.cli.eval.ScoredContinuation;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The oracle part of docs/RESULTS.md from an {@link OracleProtocol.Result}: a first paragraph that
 * says in words whether CPO beat MLE on the primary metric, the choices made on validation data,
 * then per decoding the paper's table (rows = methods, columns = metrics, each arm paired with MLE
 * on the same test prompts and sampling seeds), the truth's held-out NLL, and where each fine-tune
 * ended (rewards, truth rank).
 */
public final class OracleReport {

    static final String BASELINE = "mle";

    /** The table's metrics, paired over test prompts; then the oracle judge head to head against MLE. */
    private static final List<PairedComparison.Metric<ScoredContinuation>> METRICS = List.of(ScoredContinuation.completeness(3), ScoredContinuation.complete(3),
            ScoredContinuation.oracleNll(3), ScoredContinuation.validity(3), ScoredContinuation.winRateVsTruth(3));

    private final OracleProtocol.Result result;
    private final OracleProtocol.Settings settings;
    private final long seed;
    private final Map<Decoding, PairedComparison<ScoredContinuation>> comparisons = new java.util.HashMap<>();

    public OracleReport(OracleProtocol.Result result, OracleProtocol.Settings settings, long bootstrapSeed) {
        this.result = result;
        this.settings = settings;
        this.seed = bootstrapSeed;
    }

    /** The sentence-level verdict: the validation-chosen best CPO arm against MLE on the primary metric, per decoding. */
    public String verdict() {
        String best = result.bestCpo();
        if (best == null) return "No CPO arm ran, so this run cannot say whether CPO beats MLE.\n";
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "**Primary metric — completeness (complete continuations, credited by how well their length agrees with the truth's; "
                + "docs/ORACLE.md) on %d test prompts × %d training seeds.** ",
                prompts(), settings.seeds().size()));
        sb.append("The CPO arm the validation prompts ranked best, `").append(best).append("`, against MLE: ");
        List<String> parts = new ArrayList<>();
        for (Decoding d : settings.decodings()) {
            PairedDifference diff = comparison(d).arms().stream().filter(a -> a.name().equals(best)).findFirst().orElseThrow().differences().get(0);
            String word = !diff.excludesZero() ? "no difference the test can see" : diff.difference() > 0 ? "CPO better" : "CPO worse";
            parts.add(String.format(Locale.ROOT, "%s %.3f vs %.3f, difference %+.3f [%+.3f, %+.3f] (%s)", d.name(), diff.arm(), diff.baseline(),
                    diff.difference(), diff.low(), diff.high(), word));
        }
        sb.append(String.join("; ", parts)).append(". ");
        int better = 0, worse = 0, arms = 0;
        for (Decoding d : settings.decodings()) {
            for (PairedComparison.Arm arm : comparison(d).arms()) {
                if (arm.name().equals("base")) continue;
                PairedDifference diff = arm.differences().get(0);
                arms++;
                if (diff.excludesZero()) {
                    if (diff.difference() > 0) better++;
                    else worse++;
                }
            }
        }
        sb.append(String.format(Locale.ROOT, "Over all %d (method, decoding) pairs, %d are better than MLE and %d worse with 95%% paired intervals "
                + "that exclude 0; the rest cannot be told apart.%n", arms, better, worse));
        return sb.toString();
    }

    /** Everything below the verdict. */
    public String body() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%nLearning rate for every arm: %s. Test prompts: %d; validation prompts: %d; training seeds: %s; "
                        + "protocol time %.0f min.%n", result.lr(), prompts(), settings.validationPrompts(), settings.seeds(), result.minutes()));
        sb.append("\n### Choices made on validation data (never on the test prompts)\n\n");
        for (OracleProtocol.Choice c : result.choices()) {
            sb.append("- **").append(c.what()).append("** (").append(c.criterion()).append("): ");
            List<String> items = new ArrayList<>();
            for (int i = 0; i < c.tried().size(); i++) {
                String item = String.format(Locale.ROOT, "%s %.4f", c.tried().get(i), c.figures().get(i));
                items.add(i == c.chosen() ? "**" + item + "**" : item);
            }
            sb.append(String.join("; ", items)).append('\n');
        }
        for (Decoding d : settings.decodings()) {
            sb.append("\n### ").append(d.greedy() ? "Greedy decoding" : "Sampling at T = " + d.temperature()).append("\n\n");
            sb.append("Each arm's estimate, then (its difference to MLE [paired 95% interval]); bold where the interval excludes 0 "
                    + "(0.5 for win rates). Win rate vs MLE: the oracle judge on the two continuations of the same prompt.\n\n");
            sb.append(comparison(d).table().markdown());
            if (!d.greedy()) sb.append("\nCoverage NLL at this temperature (the model's NLL of fresh documents, per oracle token; paired over documents):\n\n")
                    .append(coverageTable(d).markdown());
        }
        sb.append("\n### Length and where training ended\n\n");
        sb.append(lengthsAndDiagnostics());
        return sb.toString();
    }

    /** Every method against MLE at one decoding, on the test prompts of every seed. */
    private PairedComparison<ScoredContinuation> comparison(Decoding d) {
        return comparisons.computeIfAbsent(d, k -> {
            PairedComparison<ScoredContinuation> c = new PairedComparison<>(BASELINE, perSeed(BASELINE, d), METRICS, seed)
                    .headToHead("win rate vs MLE", ScoredContinuation::judge);
            for (String method : result.test().keySet()) if (!method.equals(BASELINE)) c.arm(method, perSeed(method, d));
            return c;
        });
    }

    private PairedTable coverageTable(Decoding d) {
        PairedTable t = new PairedTable("method", List.of(new Column("coverage NLL", Better.LOWER, 3)));
        t.row(BASELINE, Cell.value(coverageEstimate(BASELINE, d)));
        for (String method : result.test().keySet()) if (!method.equals(BASELINE)) t.row(method, Cell.paired(coverage(method, d)));
        return t;
    }

    private String lengthsAndDiagnostics() {
        StringBuilder sb = new StringBuilder("| method |");
        for (Decoding d : settings.decodings()) sb.append(" length ratio ").append(d.name()).append(" |");
        sb.append(" held-out NLL of the truth ↓ |");
        for (String k : TrainingDiagnostics.KEYS) sb.append(' ').append(k).append(" |");
        sb.append("\n|---|");
        sb.append("---|".repeat(settings.decodings().size() + 1 + TrainingDiagnostics.KEYS.size())).append('\n');
        for (String arm : result.test().keySet()) {
            sb.append("| ").append(arm).append(" |");
            for (Decoding d : settings.decodings()) {
                sb.append(String.format(Locale.ROOT, " %.3f |", ratio(perSeed(arm, d), o -> o.sample().candidate().size(), o -> o.sample().truth().size())));
            }
            sb.append(' ').append(meanAndRange(result.heldOutNll().get(arm).values().stream().mapToDouble(Double::doubleValue).toArray())).append(" |");
            Map<Long, TrainingDiagnostics> diag = result.diagnostics().get(arm);
            for (String k : TrainingDiagnostics.KEYS) {
                if (diag == null) {
                    sb.append(" — |");
                    continue;
                }
                double[] v = diag.values().stream().mapToDouble(x -> x.get(k)).toArray();
                sb.append(' ').append(Double.isNaN(v[0]) ? "—" : meanAndRange(v)).append(" |");
            }
            sb.append('\n');
        }
        sb.append("\nLength ratio: candidate words / truth words over all test prompts and seeds. Held-out NLL: the truth's continuation "
                + "NLL per token on the test documents, mean over seeds [min, max]. Training figures: mean of the last tenth of the steps, "
                + "mean over seeds [min, max]; rewards/margins past ~1 mean the run left the regime where CPO's gradient is MLE's plus noise.\n");
        return sb.toString();
    }

    private static String meanAndRange(double[] v) {
        double sum = 0, min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            sum += x;
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        return v.length == 1 ? String.format(Locale.ROOT, "%.3f", sum) : String.format(Locale.ROOT, "%.3f [%.3f, %.3f]", sum / v.length, min, max);
    }

    private PairedDifference coverage(String arm, Decoding d) {
        List<double[]> an = new ArrayList<>(), ad = new ArrayList<>(), bn = new ArrayList<>(), bd = new ArrayList<>();
        for (long s : settings.seeds()) {
            OracleEvaluation.DocumentNll a = result.coverage().get(arm).get(s).get(d), b = result.coverage().get(BASELINE).get(s).get(d);
            an.add(a.nll());
            ad.add(toDouble(a.tokens()));
            bn.add(b.nll());
            bd.add(toDouble(b.tokens()));
        }
        return PairedBootstrap.difference(PairedItems.ratio(an, ad, bn, bd), seed);
    }

    private double coverageEstimate(String arm, Decoding d) {
        double nll = 0, tokens = 0;
        for (long s : settings.seeds()) {
            OracleEvaluation.DocumentNll a = result.coverage().get(arm).get(s).get(d);
            for (int i = 0; i < a.nll().length; i++) {
                nll += a.nll()[i];
                tokens += a.tokens()[i];
            }
        }
        return nll / tokens;
    }

    private static double[] toDouble(int[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) out[i] = v[i];
        return out;
    }

    private List<List<ScoredContinuation>> perSeed(String method, Decoding d) {
        List<List<ScoredContinuation>> out = new ArrayList<>();
        for (long s : settings.seeds()) out.add(result.test().get(method).get(s).get(d));
        return out;
    }

    private int prompts() {
        return perSeed(BASELINE, settings.decodings().get(0)).get(0).size();
    }

    private static double ratio(List<List<ScoredContinuation>> perSeed, ToDoubleFunction<ScoredContinuation> num, ToDoubleFunction<ScoredContinuation> den) {
        double n = 0, m = 0;
        for (List<ScoredContinuation> seed : perSeed) {
            for (ScoredContinuation o : seed) {
                n += num.applyAsDouble(o);
                m += den.applyAsDouble(o);
            }
        }
        return n / m;
    }
}
