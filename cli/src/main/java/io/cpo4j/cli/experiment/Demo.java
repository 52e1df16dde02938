package io.cpo4j.cli.experiment;

import io.cpo4j.cli.eval.ContinuationSample;
import io.cpo4j.cli.eval.Decoding;
import io.cpo4j.cli.eval.EvalTable;
import io.cpo4j.cli.oracle.OracleLanguage;
import io.cpo4j.cli.report.HtmlReport;
import io.cpo4j.cli.report.MetricsReader;
import io.cpo4j.cli.report.SvgChart;
import io.cpo4j.cpo.train.CpoConfig;
import io.cpo4j.cpo.train.LossType;
import io.cpo4j.engine.io.AtomicFiles;
import io.cpo4j.engine.io.Json;
import io.cpo4j.model.lm.LanguageModel;
import io.cpo4j.model.train.Evaluation;
import io.cpo4j.model.train.TrainingRun;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The built-in demonstration: oracle corpus → a {@code tiny} GPT trained with next-token
 * prediction → continued for the same number of steps with sequence-level CPO (ranked, autoregressive
 * negatives: {@link DemoConfig#demoRecipe()}) and with plain next-token training → all three evaluated by the oracle across
 * sampling temperatures → a table and {@code report.html}. It reports what it measures,
 * whichever way the comparison goes.
 */
public final class Demo {

    /** What the demo produced. */
    public record Result(EvalTable table, Path report, double entropyRate) {}

    private final DemoConfig cfg;
    private final Path runDir;
    private final PrintStream log;
    private final Function<String, TrainingRun.Listener> progress;

    public Demo(DemoConfig cfg, Path runDir, PrintStream log, Function<String, TrainingRun.Listener> progress) {
        this.cfg = cfg;
        this.runDir = runDir;
        this.log = log;
        this.progress = progress;
    }

    public Result run() throws IOException {
        long t0 = System.nanoTime();
        Files.createDirectories(runDir);
        AtomicFiles.writeString(runDir.resolve("config.json"), Json.writePretty(configJson()));
        OracleStudy study = new OracleStudy(cfg, runDir, log, progress);
        LanguageModel base = study.pretrain();
        // the same number of steps two ways, on the same (prefix, continuation) examples
        LanguageModel cpo = study.finetune("cpo", cfg.cpo(), base);
        LanguageModel mle = study.finetune("mle", CpoConfig.builder().lossType(LossType.MLE).build(), base);

        log.println("evaluating base, MLE and CPO by the oracle at T = 0.7, 0.85, 1.0, 1.15 and greedy …");
        EvalTable table = new EvalTable();
        Map<String, List<List<ContinuationSample>>> samples = new LinkedHashMap<>();
        samples.put("base (pretrained)", study.evaluate("base", base, table));
        samples.put("MLE", study.evaluate("mle", mle, table));
        samples.put("CPO", study.evaluate("cpo", cpo, table));
        table.writeJson(runDir.resolve("eval.json"));
        AtomicFiles.writeString(runDir.resolve("eval.md"), table.markdown());
        double entropy = study.corpus().oracle().entropyRate(cfg.seed() + 7, 2000);

        Path report = runDir.resolve("report.html");
        writeReport(report, table, samples, entropy, (System.nanoTime() - t0) / 1e9);
        return new Result(table, report, entropy);
    }

    private Map<String, Object> configJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("command", "demo");
        m.put("seed", cfg.seed());
        m.put("train_docs", (long) cfg.trainDocs());
        m.put("pretrain_steps", (long) cfg.pretrainSteps());
        m.put("finetune_steps", (long) cfg.finetuneSteps());
        m.put("batch", (long) cfg.batch());
        m.put("block", (long) cfg.block());
        m.put("finetune_batch", (long) cfg.finetuneBatch());
        m.put("pretrain_lr", (double) cfg.pretrainLr());
        m.put("finetune_lr", (double) cfg.finetuneLr());
        m.put("prompt_words", (long) cfg.promptWords());
        m.put("prompts", (long) cfg.prompts());
        m.put("coverage_docs", (long) cfg.coverageDocs());
        m.put("max_new_tokens", (long) cfg.maxNewTokens());
        m.put("cpo", cfg.cpo().toJson());
        m.put("model", "tiny (vocab 512, 4 layers, 4 heads, width 128, context 128)");
        m.put("threads", (long) io.cpo4j.engine.Engine.threads());
        m.put("jdk", Runtime.version().toString());
        return m;
    }

    private void writeReport(Path file, EvalTable table, Map<String, List<List<ContinuationSample>>> samples, double entropy, double seconds) throws IOException {
        HtmlReport r = new HtmlReport("cpo4j demo: sequence-level CPO vs next-token training on the oracle language");
        r.paragraph(String.format(Locale.ROOT, "A tiny GPT (%s) learned the built-in oracle language by next-token prediction for %d steps, "
                        + "then was continued for %d steps with sequence-level CPO (%s) and, separately, with plain next-token training on the same "
                        + "(prefix, continuation) examples. Seed %d, %d threads, %.0f s in all. The oracle's entropy rate is %.3f nats per token: "
                        + "no model can reach a lower coverage NLL on average.",
                "vocab 512, 4 layers, 4 heads, width 128", cfg.pretrainSteps(), cfg.finetuneSteps(), Recipes.describe(cfg.cpo()), cfg.seed(),
                io.cpo4j.engine.Engine.threads(), seconds, entropy));
        r.heading("Evaluation (95% intervals)");
        r.paragraph("oracle NLL: the oracle's NLL per token of the model's continuations (quality; lower is likelier text). coverage NLL: "
                + "the model's NLL per oracle token of fresh documents at that temperature (diversity; lower covers the language better). valid: "
                + "share of continuations the grammar can produce. win rate: continuation against the true one, judged by the oracle's "
                + "per-token log-probability, ties ½. A lower temperature alone buys quality at the cost of coverage, so compare models along the whole sweep. "
                + "Greedy continuations are often short: read their win rate with the length ratio.");
        List<String> headers = List.of("model", "decoding", "oracle NLL ↓", "coverage NLL ↓", "valid ↑", "win rate vs truth ↑", "rep-2", "distinct-2", "length ratio");
        List<List<String>> rows = new ArrayList<>();
        for (var row : table.rows()) {
            var m = row.metrics();
            rows.add(List.of(row.model(), row.decoding().name(), m.oracleNll().format(3), row.coverageNll() == null ? "—" : row.coverageNll().format(3),
                    m.validity().format(3), m.winRate().rate().format(3), String.format(Locale.ROOT, "%.3f", m.repetition().get(2)),
                    String.format(Locale.ROOT, "%.3f", m.distinct().get(2)), String.format(Locale.ROOT, "%.3f", m.length().ratio())));
        }
        r.table(headers, rows);

        r.heading("Training curves");
        var pre = MetricsReader.read(runDir.resolve("pretrain/metrics.jsonl"));
        var cpo = MetricsReader.read(runDir.resolve("cpo/metrics.jsonl"));
        var mle = MetricsReader.read(runDir.resolve("mle/metrics.jsonl"));
        r.chart(new SvgChart("pretraining loss").add("train", pts(pre, "train", "loss")).add("validation", pts(pre, "validation", "val/loss")));
        r.chart(new SvgChart("continuation NLL on held-out examples").add("CPO", pts(cpo, "validation", "val/nll_loss")).add("MLE", pts(mle, "validation", "val/nll_loss")));
        r.chart(new SvgChart("CPO rewards").add("rewards/chosen", pts(cpo, "train", "rewards/chosen")).add("rewards/rejected", pts(cpo, "train", "rewards/rejected"))
                .add("rewards/margins", pts(cpo, "train", "rewards/margins")));
        r.chart(new SvgChart("CPO rewards/accuracies").add("accuracies", pts(cpo, "train", "rewards/accuracies")));
        r.chart(new SvgChart("fine-tuning loss").add("CPO", pts(cpo, "train", "loss")).add("MLE", pts(mle, "train", "loss")));

        r.heading("Samples at T = 1.0 (the same held-out prompts)");
        int sweepIndex = Decoding.SWEEP.indexOf(Decoding.temperature(1.0));
        List<String> systems = new ArrayList<>(List.of("truth"));
        systems.addAll(samples.keySet());
        List<String> prompts = new ArrayList<>();
        List<List<String>> outs = new ArrayList<>();
        List<ContinuationSample> first = samples.values().iterator().next().get(sweepIndex);
        for (int i = 0; i < Math.min(10, first.size()); i++) {
            prompts.add(OracleLanguage.text(first.get(i).prompt()));
            List<String> row = new ArrayList<>(List.of(OracleLanguage.text(first.get(i).truth())));
            for (var s : samples.values()) row.add(OracleLanguage.text(s.get(sweepIndex).get(i).candidate()));
            outs.add(row);
        }
        r.samples(systems, prompts, outs);
        r.heading("Reproduce");
        r.code("./cpo4j demo --seed " + cfg.seed() + " --pretrain-steps " + cfg.pretrainSteps() + " --finetune-steps " + cfg.finetuneSteps());
        r.write(file);
    }

    private static List<double[]> pts(Map<String, Map<String, java.util.TreeMap<Integer, Double>>> m, String kind, String metric) {
        var k = m.get(kind);
        if (k == null || !k.containsKey(metric)) return List.of();
        return MetricsReader.points(k.get(metric));
    }
}
