package io.cpo4j.cli.experiment;

import io.cpo4j.cli.eval.Bootstrap;
import io.cpo4j.cli.eval.Interval;
import io.cpo4j.cli.eval.LengthStats;
import io.cpo4j.cli.eval.Ngrams;
import io.cpo4j.cpo.score.ContinuationLikelihood;
import io.cpo4j.cpo.train.ExampleSource;
import io.cpo4j.cpo.train.WeightEnsemble;
import io.cpo4j.engine.io.AtomicFiles;
import io.cpo4j.model.data.RandomWindows;
import io.cpo4j.model.data.SequentialWindows;
import io.cpo4j.model.data.TokenShard;
import io.cpo4j.model.data.TokenizedExample;
import io.cpo4j.model.gen.Generation;
import io.cpo4j.model.gen.GenerationConfig;
import io.cpo4j.model.gen.Generator;
import io.cpo4j.model.gen.Sampling;
import io.cpo4j.model.lm.LanguageModel;
import io.cpo4j.model.gpt.GptConfig;
import io.cpo4j.model.lm.ModelConfig;
import io.cpo4j.model.train.Evaluation;
import io.cpo4j.model.train.GradientReducer;
import io.cpo4j.model.train.NextTokenObjective;
import io.cpo4j.model.train.Objective;
import io.cpo4j.model.train.TrainConfig;
import io.cpo4j.cpo.train.CpoConfig;
import io.cpo4j.model.train.Trainer;
import io.cpo4j.model.train.TrainingRun;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The experiment on a real corpus, where no oracle knows the true probability: a {@code tiny}
 * GPT pretrained on the corpus, continued with each arm on its (prefix, continuation) examples,
 * then measured by held-out continuation perplexity (with a bootstrap interval) and by the
 * repetition, diversity and length of its continuations of held-out prefixes at T = 1.0 and greedy.
 */
public final class TextExperiment {

    /** One model's figures. */
    public record Row(String model, Interval nll, Map<String, double[]> samples) {}

    private TextExperiment() {}

    public static List<Row> run(TextCorpus corpus, DemoConfig cfg, List<OracleExperiment.Arm> arms, List<String> ensembleWith, Path runDir,
                                PrintStream log, Function<String, TrainingRun.Listener> progress) throws IOException {
        ModelConfig model = GptConfig.tiny().withVocabSize(corpus.tokenizer().vocabSize());
        log.printf(Locale.ROOT, "%s: %d training tokens, %d training examples, %d validation examples, vocabulary %d%n", corpus.name(),
                corpus.trainStream().length, corpus.trainExamples().size(), corpus.valExamples().size(), corpus.tokenizer().vocabSize());
        LanguageModel base = model.create(cfg.seed());
        int evalEvery = Math.max(1, cfg.pretrainSteps() / 5);
        TrainConfig pre = TrainConfig.builder().batchSize(cfg.batch()).blockSize(cfg.block()).maxSteps(cfg.pretrainSteps()).learningRate(cfg.pretrainLr())
                .warmupSteps(Math.max(1, cfg.pretrainSteps() / 20)).evalEvery(evalEvery).evalBatches(20).checkpointEvery(0).keepCheckpoints(1)
                .seed(cfg.seed()).build();
        SequentialWindows val = new SequentialWindows(TokenShard.of(corpus.valStream()), cfg.batch(), cfg.block());
        run(runDir.resolve("pretrain"), base, new NextTokenObjective(base, new RandomWindows(TokenShard.of(corpus.trainStream()), cfg.block(), cfg.seed())),
                pre, () -> Map.of("val/loss", Evaluation.meanLoss(base, val, 20).loss()), corpus, log, progress.apply("pretrain"));

        Map<String, LanguageModel> models = new LinkedHashMap<>();
        models.put("base", base);
        List<TokenizedExample> valSubset = corpus.valExamples().subList(0, Math.min(corpus.valExamples().size(), 400));
        for (OracleExperiment.Arm arm : arms) {
            TrainConfig ft = pre.toBuilder().batchSize(cfg.finetuneBatch()).maxSteps(cfg.finetuneSteps()).learningRate(cfg.finetuneLr())
                    .warmupSteps(Math.max(1, cfg.finetuneSteps() / 10)).evalEvery(Math.max(1, cfg.finetuneSteps() / 5)).build();
            CpoConfig spec = arm.spec().toBuilder().eosToken(corpus.eos()).training(ft).build();
            LanguageModel policy = base.copy();
            LanguageModel reference = spec.needsReference() ? base.copy().freeze(true) : null;
            Objective objective = spec.objective(policy, reference, new ExampleSource(corpus.trainExamples(), cfg.seed() + 11), cfg.seed() + 13);
            run(runDir.resolve(arm.name()), policy, objective, ft, () -> Map.of("val/nll_loss", nll(policy, valSubset, cfg.seed()).estimate()), corpus, log,
                    progress.apply(arm.name()));
            models.put(arm.name(), policy);
        }
        for (String other : ensembleWith) {
            if (models.containsKey("mle") && models.containsKey(other)) {
                models.put("soup(mle," + other + ")", WeightEnsemble.interpolate(models.get("mle"), models.get(other), 0.5f));
            }
        }
        List<Row> rows = new ArrayList<>();
        List<TokenizedExample> prompts = corpus.valExamples().subList(0, Math.min(corpus.valExamples().size(), cfg.prompts()));
        for (Map.Entry<String, LanguageModel> e : models.entrySet()) {
            log.printf(Locale.ROOT, "evaluating %s on %s …%n", e.getKey(), corpus.name());
            Map<String, double[]> s = new LinkedHashMap<>();
            s.put("T=1.0", sampleStats(e.getValue(), corpus, prompts, Sampling.temperature(1f), cfg.seed()));
            s.put("greedy", sampleStats(e.getValue(), corpus, prompts, Sampling.greedyDecoding(), cfg.seed()));
            rows.add(new Row(e.getKey(), nll(e.getValue(), corpus.valExamples(), cfg.seed()), s));
        }
        AtomicFiles.writeString(runDir.resolve("summary.md"), markdown(corpus.name(), rows));
        return rows;
    }

    private static void run(Path dir, LanguageModel model, Objective objective, TrainConfig tc, java.util.function.Supplier<Map<String, Double>> validation,
                            TextCorpus corpus, PrintStream log, TrainingRun.Listener listener) throws IOException {
        log.printf(Locale.ROOT, "%s: %d steps%n", dir.getFileName(), tc.maxSteps());
        new TrainingRun(new Trainer(model, tc, objective, GradientReducer.LOCAL), dir, corpus.eos(), validation, listener).run();
    }

    /** Held-out NLL per continuation token, with a bootstrap interval over examples. */
    static Interval nll(LanguageModel model, List<TokenizedExample> examples, long seed) {
        ContinuationLikelihood.Scores s = ContinuationLikelihood.of(model, examples);
        return Bootstrap.ratio95(s.nll(), s.tokens(), seed);
    }

    /** {rep-2, rep-4, distinct-2, length ratio, ended share} of the continuations of the prompts, in whitespace words. */
    static double[] sampleStats(LanguageModel model, TextCorpus corpus, List<TokenizedExample> prompts, Sampling sampling, long seed) {
        List<int[]> ps = new ArrayList<>();
        int max = 0;
        for (TokenizedExample e : prompts) {
            ps.add(e.prefix());
            max = Math.max(max, e.continuation().length);
        }
        int room = model.config().contextLength();
        for (int[] p : ps) room = Math.min(room, model.config().contextLength() - p.length);
        boolean was = model.isTraining();
        model.setTraining(false);
        List<Generation> gens;
        try {
            gens = new Generator(model).generate(ps, GenerationConfig.of(Math.max(1, Math.min(max, room)), sampling, seed).withStopTokens(corpus.eos()));
        } finally {
            model.setTraining(was);
        }
        List<List<String>> cands = new ArrayList<>(), truths = new ArrayList<>();
        int ended = 0;
        for (int i = 0; i < prompts.size(); i++) {
            cands.add(words(corpus, gens.get(i).tokens()));
            truths.add(words(corpus, prompts.get(i).continuation()));
            if (gens.get(i).finish() == Generation.Finish.STOP_TOKEN) ended++;
        }
        return new double[] {Ngrams.repetition(cands, 2), Ngrams.repetition(cands, 4), Ngrams.distinct(cands, 2),
                LengthStats.of(cands, truths).ratio(), ended / (double) prompts.size()};
    }

    private static List<String> words(TextCorpus corpus, int[] tokens) {
        int n = tokens.length;
        if (n > 0 && tokens[n - 1] == corpus.eos()) n--;
        String text = corpus.tokenizer().decode(Arrays.copyOf(tokens, n)).strip();
        return text.isEmpty() ? List.of() : Arrays.asList(text.split("\\s+"));
    }

    public static String markdown(String corpus, List<Row> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("| model (").append(corpus).append(") | held-out NLL / token ↓ | perplexity ↓ | T=1.0 rep-2 | rep-4 | distinct-2 | length ratio | greedy rep-2 | rep-4 | distinct-2 | length ratio |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            double[] t = r.samples().get("T=1.0"), g = r.samples().get("greedy");
            sb.append(String.format(Locale.ROOT, "| %s | %s | %.2f [%.2f, %.2f] | %.3f | %.3f | %.3f | %.2f | %.3f | %.3f | %.3f | %.2f |%n", r.model(), r.nll().format(3),
                    Math.exp(r.nll().estimate()), Math.exp(r.nll().low()), Math.exp(r.nll().high()), t[0], t[1], t[2], t[3], g[0], g[1], g[2], g[3]));
        }
        return sb.toString();
    }
}
