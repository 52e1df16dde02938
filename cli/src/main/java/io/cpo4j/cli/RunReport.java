package io.cpo4j.cli;

import io.cpo4j.cli.report.HtmlReport;
import io.cpo4j.cli.report.MetricsReader;
import io.cpo4j.cli.report.SvgChart;
import io.cpo4j.engine.io.Json;
import io.cpo4j.model.data.TokenizedExample;
import io.cpo4j.model.gen.GenerationConfig;
import io.cpo4j.model.gen.Generator;
import io.cpo4j.model.gen.Sampling;
import io.cpo4j.model.lm.LanguageModel;
import io.cpo4j.model.tokenizer.Tokenizer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A run's {@code report.html}: curves from its {@code metrics.jsonl} (loss and validation loss,
 * NLL, rewards and reward accuracy when the objective logs them, learning rate, gradient norm,
 * throughput), the last value of every metric, sample generations side by side, the command and
 * the config. One offline page.
 */
final class RunReport {

    /** Sample generations: one row per prompt, one column per system. */
    record Samples(List<String> systems, List<String> prompts, List<List<String>> outputs) {}

    /** A chart and the (kind, metric) series it draws, labelled. */
    private record Chart(String title, List<String[]> series) {}

    private static final List<Chart> CHARTS = List.of(
            chart("loss", "train", "loss", "loss", "validation", "val/loss", "val/loss"),
            chart("NLL per continuation token", "train", "nll_loss", "nll_loss", "validation", "val/nll_loss", "val/nll_loss"),
            chart("rewards", "train", "rewards/chosen", "chosen", "train", "rewards/rejected", "rejected",
                    "train", "rewards/margins", "margins", "validation", "val/rewards/margins", "val/margins"),
            chart("reward accuracy", "train", "rewards/accuracies", "accuracies", "validation", "val/rewards/accuracies", "val/accuracies"),
            chart("learning rate", "train", "lr", "lr"),
            chart("gradient norm (before clipping)", "train", "grad_norm", "grad_norm"),
            chart("tokens per second", "train", "tokens_per_sec", "tokens/s"));

    private RunReport() {}

    private static Chart chart(String title, String... kindMetricLabel) {
        List<String[]> s = new ArrayList<>();
        for (int i = 0; i < kindMetricLabel.length; i += 3) s.add(new String[] {kindMetricLabel[i], kindMetricLabel[i + 1], kindMetricLabel[i + 2]});
        return new Chart(title, s);
    }

    static void write(RunFolder run, String title, List<String> summary, String commandLine, Map<String, Object> config, Samples samples) throws IOException {
        MetricsReader.Metrics read = MetricsReader.readAll(run.metrics());
        Map<String, Map<String, TreeMap<Integer, Double>>> metrics = read.series();
        HtmlReport report = new HtmlReport(title);
        for (String line : summary) report.paragraph(line);
        if (!read.badLines().isEmpty()) report.paragraph(read.note(run.metrics()));
        report.heading("Curves");
        for (Chart c : CHARTS) {
            SvgChart svg = new SvgChart(c.title());
            for (String[] s : c.series()) {
                TreeMap<Integer, Double> series = metrics.getOrDefault(s[0], Map.of()).get(s[1]);
                if (series != null) svg.add(s[2], MetricsReader.points(series));
            }
            report.chart(svg);
        }
        List<List<String>> rows = new ArrayList<>();
        for (Map.Entry<String, Map<String, TreeMap<Integer, Double>>> kind : metrics.entrySet()) {
            for (Map.Entry<String, TreeMap<Integer, Double>> m : kind.getValue().entrySet()) {
                if (m.getValue().isEmpty()) continue;
                var last = m.getValue().lastEntry();
                rows.add(List.of(kind.getKey(), m.getKey(), Integer.toString(last.getKey()), format(last.getValue())));
            }
        }
        if (!rows.isEmpty()) {
            report.heading("Last values");
            report.table(List.of("kind", "metric", "step", "value"), rows);
        }
        if (samples != null && !samples.prompts().isEmpty()) {
            report.heading("Samples");
            report.samples(samples.systems(), samples.prompts(), samples.outputs());
        }
        report.heading("Command");
        report.code(commandLine);
        report.heading("Config");
        report.code(Json.writePretty(config));
        report.write(run.report());
    }

    /**
     * Greedy continuations of each example's prefix by {@code model} (as long as the truth, within
     * the context, ending at {@code eos}), next to the truth: the report's sample table.
     */
    static Samples samples(LanguageModel model, Tokenizer tokenizer, List<TokenizedExample> examples, int eos, String modelLabel) {
        List<String> prompts = new ArrayList<>();
        List<List<String>> outputs = new ArrayList<>();
        Generator generator = new Generator(model);
        int ctx = model.config().contextLength();
        boolean was = model.isTraining();
        model.setTraining(false);
        try {
            for (TokenizedExample e : examples) {
                int room = ctx - e.prefix().length;
                if (e.prefix().length == 0 || room < 1) continue;
                int max = Math.min(room, Math.max(1, e.continuation().length));
                GenerationConfig cfg = GenerationConfig.of(max, Sampling.greedyDecoding(), 0).withStopTokens(eos);
                int[] tokens = generator.generate(List.of(e.prefix()), cfg).get(0).tokens();
                prompts.add(tokenizer.decode(e.prefix()));
                outputs.add(List.of(tokenizer.decode(withoutEos(e.continuation(), eos)), tokenizer.decode(withoutEos(tokens, eos))));
            }
        } finally {
            model.setTraining(was);
        }
        return new Samples(List.of("truth", modelLabel), prompts, outputs);
    }

    private static int[] withoutEos(int[] tokens, int eos) {
        return tokens.length > 0 && tokens[tokens.length - 1] == eos ? java.util.Arrays.copyOf(tokens, tokens.length - 1) : tokens;
    }

    static String format(double v) {
        double a = Math.abs(v);
        if (a != 0 && (a < 1e-3 || a >= 1e6)) return String.format(Locale.ROOT, "%.4e", v);
        return String.format(Locale.ROOT, "%.6g", v);
    }
}
