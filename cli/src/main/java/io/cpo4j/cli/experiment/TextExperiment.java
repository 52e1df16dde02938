package io.cpo4j.cli.experiment;

import io.cpo4j.cli.eval.Better;
import io.cpo4j.cli.eval.Ngrams;
import io.cpo4j.cli.eval.PairedBootstrap;
import io.cpo4j.cli.eval.PairedComparison;
import io.cpo4j.cli.eval.PairedItems;
import io.cpo4j.cli.eval.PairedTable;
import io.cpo4j.cli.eval.PairedTable.Cell;
import io.cpo4j.cli.eval.PairedTable.Column;
import io.cpo4j.cpo.score.ContinuationLikelihood;
import io.cpo4j.cpo.train.CpoConfig;
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
import io.cpo4j.model.gpt.GptConfig;
import io.cpo4j.model.lm.LanguageModel;
import io.cpo4j.model.lm.ModelConfig;
import io.cpo4j.model.train.Evaluation;
import io.cpo4j.model.train.GradientReducer;
import io.cpo4j.model.train.NextTokenObjective;
import io.cpo4j.model.train.Objective;
import io.cpo4j.model.train.TrainConfig;
import io.cpo4j.model.train.Trainer;
import io.cpo4j.model.train.TrainingRun;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The experiment on a real corpus, where no oracle knows the true probability: a {@code tiny} GPT
 * pretrained on the corpus, continued with each arm's recipe (as the oracle's validation prompts
 * chose it) for every training seed, and compared with MLE prompt by prompt on the held-out
 * examples: the truth's continuation NLL (paired over examples), and the ending, repetition and
 * length of the continuations of held-out prefixes at T = 1.0 and greedy (paired over prompts).
 */
public final class TextExperiment {

    /** One continuation of a held-out prefix, in whitespace words. */
    public record Continuation(List<String> candidate, List<String> truth, boolean ended) {

        /** rep-2 of this continuation: 1 − distinct 2-grams / 2-grams; 0 when it has fewer than two words. */
        double repetition2() {
            int total = candidate.size() - 1;
            if (total <= 0) return 0;
            Set<List<String>> unique = new HashSet<>();
            for (int i = 0; i < total; i++) unique.add(candidate.subList(i, i + 2));
            return 1 - (double) unique.size() / total;
        }
    }

    /** One held-out example's truth NLL under a model. */
    record ExampleNll(double nll, double tokens) {}

    private static final List<PairedComparison.Metric<Continuation>> METRICS = List.of(
            PairedComparison.Metric.plain("ended", Better.HIGHER, 3, c -> c.ended() ? 1 : 0),
            PairedComparison.Metric.plain("rep-2", Better.LOWER, 3, Continuation::repetition2),
            PairedComparison.Metric.ratio("length ratio", Better.NEITHER, 3, c -> c.candidate().size(), c -> Math.max(1, c.truth().size())));

    /** The arms' chosen recipes, the lr, the seeds and the ensemble (partner and α; partner null for none). */
    public record Plan(Map<String, CpoConfig> recipes, float lr, List<Long> seeds, String ensemblePartner, float alpha) {}

    private TextExperiment() {}

    /** Runs the plan on the corpus and returns its Markdown section (tables and the reading of them). */
    public static String run(TextCorpus corpus, DemoConfig cfg, Plan plan, Path runDir, PrintStream log, Function<String, TrainingRun.Listener> progress)
            throws IOException {
        ModelConfig model = GptConfig.tiny().withVocabSize(corpus.tokenizer().vocabSize());
        log.printf(Locale.ROOT, "%s: %d training tokens, %d training examples, %d held-out examples, vocabulary %d%n", corpus.name(),
                corpus.trainStream().length, corpus.trainExamples().size(), corpus.valExamples().size(), corpus.tokenizer().vocabSize());
        LanguageModel base = model.create(cfg.seed());
        TrainConfig pre = TrainConfig.builder().batchSize(cfg.batch()).blockSize(cfg.block()).maxSteps(cfg.pretrainSteps()).learningRate(cfg.pretrainLr())
                .warmupSteps(Math.max(1, cfg.pretrainSteps() / 20)).evalEvery(Math.max(1, cfg.pretrainSteps() / 5)).evalBatches(20).checkpointEvery(0)
                .keepCheckpoints(1).seed(cfg.seed()).build();
        SequentialWindows val = new SequentialWindows(TokenShard.of(corpus.valStream()), cfg.batch(), cfg.block());
        train(runDir.resolve("pretrain"), base, new NextTokenObjective(base, new RandomWindows(TokenShard.of(corpus.trainStream()), cfg.block(), cfg.seed())),
                pre, () -> Map.of("val/loss", Evaluation.meanLoss(base, val, 20).loss()), corpus, log, progress.apply("pretrain"));

        List<TokenizedExample> heldOut = corpus.valExamples();
        List<TokenizedExample> lossSubset = heldOut.subList(0, Math.min(heldOut.size(), 400));
        List<TokenizedExample> prompts = heldOut.subList(0, Math.min(heldOut.size(), cfg.prompts()));
        Map<String, List<List<ExampleNll>>> nll = new LinkedHashMap<>();
        Map<String, Map<String, List<List<Continuation>>>> samples = new LinkedHashMap<>();   // method → decoding → per seed
        for (long seed : plan.seeds()) {
            Map<String, LanguageModel> models = new LinkedHashMap<>();
            models.put("base", base);
            for (Map.Entry<String, CpoConfig> arm : plan.recipes().entrySet()) {
                TrainConfig ft = pre.toBuilder().batchSize(cfg.finetuneBatch()).maxSteps(cfg.finetuneSteps()).learningRate(plan.lr())
                        .warmupSteps(Math.max(1, cfg.finetuneSteps() / 10)).evalEvery(Math.max(1, cfg.finetuneSteps() / 5)).seed(seed).build();
                CpoConfig spec = arm.getValue().toBuilder().eosToken(corpus.eos()).training(ft).build();
                LanguageModel policy = base.copy();
                LanguageModel reference = spec.needsReference() ? base.copy().freeze(true) : null;
                Objective objective = spec.objective(policy, reference, new ExampleSource(corpus.trainExamples(), seed + 11), seed + 13);
                train(runDir.resolve(arm.getKey() + "-seed" + seed), policy, objective, ft,
                        () -> Map.of("val/nll_loss", ContinuationLikelihood.of(policy, lossSubset).perToken()), corpus, log, progress.apply(arm.getKey()));
                models.put(arm.getKey(), policy);
            }
            if (plan.ensemblePartner() != null && models.containsKey("mle") && models.containsKey(plan.ensemblePartner())) {
                models.put(String.format(Locale.ROOT, "soup(mle,%s,α=%.2f)", plan.ensemblePartner(), plan.alpha()),
                        WeightEnsemble.interpolate(models.get("mle"), models.get(plan.ensemblePartner()), plan.alpha()));
            }
            for (Map.Entry<String, LanguageModel> e : models.entrySet()) {
                log.printf(Locale.ROOT, "evaluating %s (seed %d) on %s …%n", e.getKey(), seed, corpus.name());
                nll.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(exampleNll(e.getValue(), heldOut));
                Map<String, List<List<Continuation>>> byDecoding = samples.computeIfAbsent(e.getKey(), k -> new LinkedHashMap<>());
                byDecoding.computeIfAbsent("T=1.0", k -> new ArrayList<>()).add(continuations(e.getValue(), corpus, prompts, Sampling.temperature(1f), seed));
                byDecoding.computeIfAbsent("greedy", k -> new ArrayList<>()).add(continuations(e.getValue(), corpus, prompts, Sampling.greedyDecoding(), seed));
            }
        }
        String md = markdown(corpus.name(), nll, samples, heldOut.size(), prompts.size(), plan.seeds(), cfg.seed());
        AtomicFiles.writeString(runDir.resolve("summary.md"), md);
        return md;
    }

    /** The section: held-out NLL paired over examples, then per decoding the continuation figures paired over prompts. */
    static String markdown(String corpus, Map<String, List<List<ExampleNll>>> nll, Map<String, Map<String, List<List<Continuation>>>> samples,
                           int examples, int prompts, List<Long> seeds, long bootstrapSeed) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Held-out continuation NLL per token of the truth (%d held-out examples × %d training seeds; "
                + "each method's estimate, then its difference to MLE [paired 95%% interval], bold where it excludes 0):%n%n", examples, seeds.size()));
        PairedTable t = new PairedTable("method (" + corpus + ")", List.of(new Column("held-out NLL", Better.LOWER, 3)));
        double sum = 0, tokens = 0;
        for (List<ExampleNll> seed : nll.get("mle")) for (ExampleNll e : seed) {
            sum += e.nll();
            tokens += e.tokens();
        }
        t.row("mle", Cell.value(sum / tokens));
        for (String m : nll.keySet()) {
            if (m.equals("mle")) continue;
            t.row(m, Cell.paired(PairedBootstrap.difference(PairedItems.of(nll.get(m), nll.get("mle"), ExampleNll::nll, ExampleNll::tokens), bootstrapSeed)));
        }
        sb.append(t.markdown());
        for (String decoding : List.of("T=1.0", "greedy")) {
            sb.append(String.format(Locale.ROOT, "%nContinuations of %d held-out prefixes at %s (paired over prompts; distinct-2 pooled over all "
                    + "continuations, mean over seeds):%n%n", prompts, decoding));
            PairedComparison<Continuation> c = new PairedComparison<>("mle", samples.get("mle").get(decoding), METRICS, bootstrapSeed);
            for (String m : samples.keySet()) if (!m.equals("mle")) c.arm(m, samples.get(m).get(decoding));
            sb.append(c.table().markdown());
            sb.append("\n| method | distinct-2 |\n|---|---|\n");
            for (String m : samples.keySet()) {
                double distinct = 0;
                for (List<Continuation> seed : samples.get(m).get(decoding)) distinct += Ngrams.distinct(seed.stream().map(Continuation::candidate).toList(), 2);
                sb.append(String.format(Locale.ROOT, "| %s | %.3f |%n", m, distinct / samples.get(m).get(decoding).size()));
            }
        }
        return sb.toString();
    }

    private static void train(Path dir, LanguageModel model, Objective objective, TrainConfig tc, java.util.function.Supplier<Map<String, Double>> validation,
                              TextCorpus corpus, PrintStream log, TrainingRun.Listener listener) throws IOException {
        log.printf(Locale.ROOT, "%s: %d steps%n", dir.getFileName(), tc.maxSteps());
        new TrainingRun(new Trainer(model, tc, objective, GradientReducer.LOCAL), dir, corpus.eos(), validation, listener).run();
    }

    private static List<ExampleNll> exampleNll(LanguageModel model, List<TokenizedExample> examples) {
        ContinuationLikelihood.Scores s = ContinuationLikelihood.of(model, examples);
        List<ExampleNll> out = new ArrayList<>(examples.size());
        for (int i = 0; i < examples.size(); i++) out.add(new ExampleNll(s.nll()[i], s.tokens()[i]));
        return out;
    }

    /** The model's continuation of every prompt (up to the longest truth), in whitespace words. */
    static List<Continuation> continuations(LanguageModel model, TextCorpus corpus, List<TokenizedExample> prompts, Sampling sampling, long seed) {
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
        List<Continuation> out = new ArrayList<>(prompts.size());
        for (int i = 0; i < prompts.size(); i++) {
            out.add(new Continuation(words(corpus, gens.get(i).tokens()), words(corpus, prompts.get(i).continuation()),
                    gens.get(i).finish() == Generation.Finish.STOP_TOKEN));
        }
        return out;
    }

    private static List<String> words(TextCorpus corpus, int[] tokens) {
        int n = tokens.length;
        if (n > 0 && tokens[n - 1] == corpus.eos()) n--;
        String text = corpus.tokenizer().decode(Arrays.copyOf(tokens, n)).strip();
        return text.isEmpty() ? List.of() : Arrays.asList(text.split("\\s+"));
    }
}
