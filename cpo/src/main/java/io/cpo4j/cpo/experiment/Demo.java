package io.cpo4j.cpo.experiment;

import io.cpo4j.cpo.eval.ContinuationSample;
import io.cpo4j.cpo.eval.Decoding;
import io.cpo4j.cpo.eval.EvalTable;
import io.cpo4j.cpo.oracle.OracleDocument;
import io.cpo4j.cpo.oracle.OracleLanguage;
import io.cpo4j.cpo.report.HtmlReport;
import io.cpo4j.cpo.report.MetricsReader;
import io.cpo4j.cpo.report.SvgChart;
import io.cpo4j.cpo.score.PaddedRows;
import io.cpo4j.cpo.train.ExampleSource;
import io.cpo4j.cpo.train.FinetuneSpec;
import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.io.AtomicFiles;
import io.cpo4j.engine.io.Json;
import io.cpo4j.model.data.RandomWindows;
import io.cpo4j.model.data.SequentialWindows;
import io.cpo4j.model.data.TokenShard;
import io.cpo4j.model.data.TokenizedExample;
import io.cpo4j.model.gpt.Gpt;
import io.cpo4j.model.gpt.GptConfig;
import io.cpo4j.model.gpt.HfCheckpoint;
import io.cpo4j.model.gpt.MemoryEstimate;
import io.cpo4j.model.tokenizer.BpeFiles;
import io.cpo4j.model.tokenizer.BpeTokenizer;
import io.cpo4j.model.train.Evaluation;
import io.cpo4j.model.train.GradientReducer;
import io.cpo4j.model.train.NextTokenObjective;
import io.cpo4j.model.train.Objective;
import io.cpo4j.model.train.TrainConfig;
import io.cpo4j.model.train.Trainer;
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
 * prediction → continued for the same number of steps with sequence-level CPO (autoregressive
 * negatives) and with plain next-token training → all three evaluated by the oracle across
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

        log.printf(Locale.ROOT, "oracle corpus: %d training documents, BPE vocabulary of 512 …%n", cfg.trainDocs());
        OracleCorpus corpus = OracleCorpus.build(cfg.seed(), cfg.trainDocs(), 4 * Math.max(cfg.prompts(), cfg.coverageDocs()), 512);
        BpeFiles.save((BpeTokenizer) corpus.tokenizer(), runDir.resolve("tokenizer"));
        GptConfig model = GptConfig.tiny().withVocabSize(corpus.tokenizer().vocabSize());
        MemoryEstimate.training(model, Math.max(cfg.batch(), cfg.finetuneBatch() * cfg.cpo().candidates()), model.contextLength())
                .requireFits("the demo's training");

        // held-out documents: prompts, coverage, and next-token validation, disjoint
        List<OracleDocument> held = corpus.heldOut();
        int third = held.size() / 3;
        List<OracleDocument> promptDocs = held.subList(0, third), coverageDocs = held.subList(third, 2 * third), valDocs = held.subList(2 * third, held.size());

        // 1. next-token pretraining from scratch
        Gpt base = Gpt.create(model, cfg.seed());
        int[] stream = corpus.trainingStream();
        int[] valStream = streamOf(corpus, valDocs);
        TrainConfig pre = trainConfig(cfg.batch(), cfg.block(), cfg.pretrainSteps(), cfg.pretrainLr(), Math.max(1, cfg.pretrainSteps() / 20));
        SequentialWindows val = new SequentialWindows(TokenShard.of(valStream), cfg.batch(), cfg.block());
        phase("pretrain", base, new NextTokenObjective(base, new RandomWindows(TokenShard.of(stream), cfg.batch(), cfg.block(), cfg.seed())), pre,
                () -> Map.of("val/loss", Evaluation.meanLoss(base, val, 50).loss()), corpus);

        // 2. the same number of steps two ways, on the same (prefix, continuation) examples
        int fits = model.contextLength();
        List<TokenizedExample> examples = corpus.examples(corpus.train(), cfg.promptWords(), fits);
        List<TokenizedExample> valExamples = corpus.examples(valDocs, cfg.promptWords(), fits);
        TrainConfig ft = trainConfig(cfg.finetuneBatch(), cfg.block(), cfg.finetuneSteps(), cfg.finetuneLr(), Math.max(1, cfg.finetuneSteps() / 10));
        Gpt cpo = finetune("cpo", cfg.cpo(), base, examples, valExamples, ft, corpus);
        Gpt mle = finetune("mle", FinetuneSpec.defaults().withObjective("mle"), base, examples, valExamples, ft, corpus);

        // 3. evaluation by the oracle
        log.println("evaluating base, MLE and CPO by the oracle at T = 0.7, 0.85, 1.0, 1.15 and greedy …");
        OracleEvaluation eval = new OracleEvaluation(corpus, promptDocs.subList(0, Math.min(promptDocs.size(), cfg.prompts())),
                coverageDocs.subList(0, Math.min(coverageDocs.size(), cfg.coverageDocs())), cfg.promptWords(), cfg.maxNewTokens(), cfg.seed());
        EvalTable table = new EvalTable();
        Map<String, List<List<ContinuationSample>>> samples = new LinkedHashMap<>();
        samples.put("base (pretrained)", eval.evaluate("base", base, Decoding.SWEEP, table));
        samples.put("MLE", eval.evaluate("mle", mle, Decoding.SWEEP, table));
        samples.put("CPO", eval.evaluate("cpo", cpo, Decoding.SWEEP, table));
        table.writeJson(runDir.resolve("eval.json"));
        AtomicFiles.writeString(runDir.resolve("eval.md"), table.markdown());
        double entropy = corpus.oracle().entropyRate(cfg.seed() + 7, 2000);

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

    private TrainConfig trainConfig(int batch, int block, int steps, float lr, int warmup) {
        int evalEvery = Math.max(1, steps / 5);
        return new TrainConfig(batch, block, 1, steps, lr, warmup, 0.1f, 0.1f, 0.9f, 0.95f, 1e-8f, 1.0f,
                evalEvery, 50, 0, 1, 5, cfg.seed());
    }

    private Gpt finetune(String name, FinetuneSpec spec, Gpt base, List<TokenizedExample> examples, List<TokenizedExample> valExamples,
                         TrainConfig ft, OracleCorpus corpus) throws IOException {
        Gpt policy = base.copy();
        Gpt reference = spec.needsReference() ? base.copy().freeze(true) : null;
        Objective objective = spec.objective(policy, reference, new ExampleSource(examples, cfg.seed() + 11), cfg.finetuneBatch(),
                corpus.eos(), cfg.seed() + 13);
        phase(name, policy, objective, ft, () -> Map.of("val/nll", continuationNll(policy, valExamples)), corpus);
        return policy;
    }

    private void phase(String name, Gpt model, Objective objective, TrainConfig tc, java.util.function.Supplier<Map<String, Double>> validation,
                       OracleCorpus corpus) throws IOException {
        log.printf(Locale.ROOT, "%s: %d steps%n", name, tc.maxSteps());
        Path dir = runDir.resolve(name);
        Trainer trainer = new Trainer(model, tc, objective, GradientReducer.LOCAL);
        new TrainingRun(trainer, dir, corpus.eos(), validation, progress.apply(name)).run();
        HfCheckpoint.save(model, dir.resolve("model"), corpus.eos());
        BpeFiles.save((BpeTokenizer) corpus.tokenizer(), dir.resolve("model"));
    }

    private static int[] streamOf(OracleCorpus corpus, List<OracleDocument> docs) {
        List<Integer> all = new ArrayList<>();
        for (OracleDocument d : docs) {
            int[] t = corpus.documentTokens(d);
            for (int i = all.isEmpty() ? 0 : 1; i < t.length; i++) all.add(t[i]);
        }
        return all.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Mean NLL per continuation token of held-out examples (the fine-tunes' validation figure). */
    static double continuationNll(Gpt model, List<TokenizedExample> examples) {
        boolean was = model.isTraining();
        model.setTraining(false);
        double sum = 0;
        long count = 0;
        try (var scope = Autograd.noGrad()) {
            for (int from = 0; from < examples.size(); from += 32) {
                List<TokenizedExample> part = examples.subList(from, Math.min(examples.size(), from + 32));
                int[][] p = new int[part.size()][], c = new int[part.size()][];
                for (int i = 0; i < part.size(); i++) {
                    p[i] = part.get(i).prefix();
                    c[i] = part.get(i).continuation();
                }
                PaddedRows rows = PaddedRows.of(p, c);
                int n = 0;
                for (int t : rows.targets()) if (t >= 0) n++;
                sum += model.loss(rows.inputs(), rows.targets(), rows.rows(), rows.time()).item() * (double) n;
                count += n;
            }
        } finally {
            model.setTraining(was);
        }
        return sum / count;
    }

    private void writeReport(Path file, EvalTable table, Map<String, List<List<ContinuationSample>>> samples, double entropy, double seconds) throws IOException {
        HtmlReport r = new HtmlReport("cpo4j demo: sequence-level CPO vs next-token training on the oracle language");
        r.paragraph(String.format(Locale.ROOT, "A tiny GPT (%s) learned the built-in oracle language by next-token prediction for %d steps, "
                        + "then was continued for %d steps with sequence-level CPO (%s) and, separately, with plain next-token training on the same "
                        + "(prefix, continuation) examples. Seed %d, %d threads, %.0f s in all. The oracle's entropy rate is %.3f nats per token: "
                        + "no model can reach a lower coverage NLL on average.",
                "vocab 512, 4 layers, 4 heads, width 128", cfg.pretrainSteps(), cfg.finetuneSteps(), describe(cfg.cpo()), cfg.seed(),
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
        r.chart(new SvgChart("continuation NLL on held-out examples").add("CPO", pts(cpo, "validation", "val/nll")).add("MLE", pts(mle, "validation", "val/nll")));
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

    static String describe(FinetuneSpec s) {
        return String.format(Locale.ROOT, "%s, %s negatives, K = %d, β = %s", s.objective(), String.join("+", s.negatives()), s.candidates(), s.beta());
    }
}
