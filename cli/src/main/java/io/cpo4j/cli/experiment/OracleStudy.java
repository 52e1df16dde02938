package io.cpo4j.cli.experiment;

import io.cpo4j.cli.eval.ContinuationSample;
import io.cpo4j.cli.eval.Decoding;
import io.cpo4j.cli.eval.EvalTable;
import io.cpo4j.cli.oracle.OracleDocument;
import io.cpo4j.cpo.score.ContinuationLikelihood;
import io.cpo4j.cpo.train.ExampleSource;
import io.cpo4j.cpo.train.CpoConfig;
import io.cpo4j.engine.io.AtomicFiles;
import io.cpo4j.engine.io.Json;
import io.cpo4j.model.data.RandomWindows;
import io.cpo4j.model.data.SequentialWindows;
import io.cpo4j.model.data.TokenShard;
import io.cpo4j.model.data.TokenizedExample;
import io.cpo4j.model.lm.LanguageModel;
import io.cpo4j.model.gpt.GptConfig;
import io.cpo4j.model.lm.ModelConfig;
import io.cpo4j.model.hf.HfCheckpoint;
import io.cpo4j.model.lm.MemoryEstimate;
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
import java.util.function.Supplier;

/**
 * The oracle-language study the demo and the experiments are made of: build the corpus, pretrain
 * a {@code tiny} GPT with next-token prediction, continue it with any {@link CpoConfig} recipe, and
 * evaluate models by the oracle. Each phase trains in its own sub-folder of the run folder
 * (metrics.jsonl, checkpoint, the model as a HuggingFace folder with its tokenizer).
 */
public final class OracleStudy {

    private final DemoConfig cfg;
    private final Path runDir;
    private final PrintStream log;
    private final Function<String, TrainingRun.Listener> progress;
    private final OracleCorpus corpus;
    private final ModelConfig modelConfig;
    private final OracleSplits splits;
    private final List<OracleDocument> promptDocs, coverageDocs, valDocs;
    private final List<TokenizedExample> examples, valExamples;
    private List<TokenizedExample> testExamples;

    public OracleStudy(DemoConfig cfg, Path runDir, PrintStream log, Function<String, TrainingRun.Listener> progress) throws IOException {
        this(cfg, runDir, log, progress, 4 * Math.max(cfg.prompts(), cfg.coverageDocs()), OracleSplits::thirds);
    }

    /**
     * A study whose {@code heldOutDocs} held-out documents are cut by {@code split} into test and
     * validation prompts, coverage documents and validation-loss documents.
     */
    public OracleStudy(DemoConfig cfg, Path runDir, PrintStream log, Function<String, TrainingRun.Listener> progress, int heldOutDocs,
                       Function<List<OracleDocument>, OracleSplits> split) throws IOException {
        this.cfg = cfg;
        this.runDir = runDir;
        this.log = log;
        this.progress = progress;
        Files.createDirectories(runDir);
        log.printf(Locale.ROOT, "oracle corpus: %d training documents, BPE vocabulary of 512 …%n", cfg.trainDocs());
        this.corpus = OracleCorpus.build(cfg.seed(), cfg.trainDocs(), heldOutDocs, 512);
        BpeFiles.save((BpeTokenizer) corpus.tokenizer(), runDir.resolve("tokenizer"));
        this.modelConfig = GptConfig.tiny().withVocabSize(corpus.tokenizer().vocabSize());
        MemoryEstimate.training(modelConfig, Math.max(cfg.batch(), cfg.finetuneBatch() * cfg.cpo().candidates()), modelConfig.contextLength())
                .requireFits("the study's training");
        this.splits = split.apply(corpus.heldOut());
        this.promptDocs = splits.test();
        this.coverageDocs = splits.coverage();
        this.valDocs = splits.lossDocs();
        this.examples = corpus.examples(corpus.train(), cfg.promptWords(), modelConfig.contextLength());
        this.valExamples = corpus.examples(valDocs, cfg.promptWords(), modelConfig.contextLength());
    }

    public OracleCorpus corpus() {
        return corpus;
    }

    public DemoConfig config() {
        return cfg;
    }

    public OracleSplits splits() {
        return splits;
    }

    public Path runDir() {
        return runDir;
    }

    /** The truth's continuation NLL per token on the test prompts' documents (the figure MLE optimises). */
    public double testNll(LanguageModel model) {
        if (testExamples == null) testExamples = corpus.examples(splits.test(), cfg.promptWords(), modelConfig.contextLength());
        return continuationNll(model, testExamples);
    }

    /** An evaluation on {@code prompts} (with the study's coverage documents), sampling from stream {@code seed}. */
    public OracleEvaluation evaluation(List<OracleDocument> prompts, long seed) {
        return new OracleEvaluation(corpus, prompts, coverageDocs.subList(0, Math.min(coverageDocs.size(), cfg.coverageDocs())), cfg.promptWords(),
                cfg.maxNewTokens(), seed);
    }

    /**
     * The model pretrained by {@link #pretrain()} if {@code dir} holds one made with the same
     * settings (as {@code pretrain-settings.json} there records), else pretrains and saves it there:
     * every arm of every run with these settings starts from the same base.
     */
    public LanguageModel pretrainedBase() throws IOException {
        Path dir = runDir.resolve("pretrain");
        Path model = dir.resolve("model"), settings = dir.resolve("pretrain-settings.json");
        String wanted = Json.write(pretrainSettings());
        if (HfCheckpoint.hasWeights(model) && Files.isRegularFile(settings) && Files.readString(settings).equals(wanted)) {
            log.printf(Locale.ROOT, "pretrain: reusing %s%n", model);
            return HfCheckpoint.load(model);
        }
        if (Files.exists(dir)) throw new IOException(dir + " holds another pretraining (or an unfinished one); use a new --out or remove it");
        LanguageModel base = pretrain();
        AtomicFiles.writeString(settings, wanted);
        return base;
    }

    private Map<String, Object> pretrainSettings() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seed", cfg.seed());
        m.put("train_docs", (long) cfg.trainDocs());
        m.put("steps", (long) cfg.pretrainSteps());
        m.put("batch", (long) cfg.batch());
        m.put("block", (long) cfg.block());
        m.put("lr", (double) cfg.pretrainLr());
        m.put("model", modelConfig.toString());
        return m;
    }

    /** Next-token pretraining from scratch on the training stream. */
    public LanguageModel pretrain() throws IOException {
        LanguageModel base = modelConfig.create(cfg.seed());
        int[] valStream = streamOf(valDocs);
        TrainConfig pre = trainConfig(cfg.batch(), cfg.block(), cfg.pretrainSteps(), cfg.pretrainLr(), Math.max(1, cfg.pretrainSteps() / 20), cfg.seed());
        SequentialWindows val = new SequentialWindows(TokenShard.of(valStream), cfg.batch(), cfg.block());
        phase("pretrain", base, new NextTokenObjective(base, new RandomWindows(TokenShard.of(corpus.trainingStream()), cfg.block(), cfg.seed())),
                pre, () -> Map.of("val/loss", Evaluation.meanLoss(base, val, 50).loss()));
        return base;
    }

    /** A copy of {@code base} continued for {@code finetuneSteps} with the recipe, in sub-folder {@code name}. */
    public LanguageModel finetune(String name, CpoConfig recipe, LanguageModel base) throws IOException {
        return finetune(name, recipe, base, cfg.finetuneLr(), cfg.seed());
    }

    /**
     * A copy of {@code base} continued with the recipe at peak learning rate {@code lr}; {@code seed}
     * decides the order of the examples, the negatives and dropout (the study's seed: as the demo).
     */
    public LanguageModel finetune(String name, CpoConfig recipe, LanguageModel base, float lr, long seed) throws IOException {
        TrainConfig ft = trainConfig(cfg.finetuneBatch(), cfg.block(), cfg.finetuneSteps(), lr, Math.max(1, cfg.finetuneSteps() / 10), seed);
        CpoConfig spec = recipe.toBuilder().eosToken(corpus.eos()).training(ft).build();
        LanguageModel policy = base.copy();
        LanguageModel reference = spec.needsReference() ? base.copy().freeze(true) : null;
        Objective objective = spec.objective(policy, reference, new ExampleSource(examples, seed + 11), seed + 13);
        phase(name, policy, objective, ft, () -> Map.of("val/nll_loss", continuationNll(policy, valExamples)));
        return policy;
    }

    /** The model at every decoding of the sweep, added to {@code table}; returns its samples per decoding. */
    public List<List<ContinuationSample>> evaluate(String name, LanguageModel model, EvalTable table) {
        OracleEvaluation eval = new OracleEvaluation(corpus, promptDocs.subList(0, Math.min(promptDocs.size(), cfg.prompts())),
                coverageDocs.subList(0, Math.min(coverageDocs.size(), cfg.coverageDocs())), cfg.promptWords(), cfg.maxNewTokens(), cfg.seed());
        return eval.evaluate(name, model, Decoding.SWEEP, table);
    }

    /** The held-out continuation NLL per token (the fine-tunes' validation figure). */
    public double heldOutNll(LanguageModel model) {
        return continuationNll(model, valExamples);
    }

    /** Saves a model (and the tokenizer) as a HuggingFace folder. */
    public void save(LanguageModel model, Path dir) throws IOException {
        HfCheckpoint.save(model, dir, corpus.eos());
        BpeFiles.save((BpeTokenizer) corpus.tokenizer(), dir);
    }

    private TrainConfig trainConfig(int batch, int block, int steps, float lr, int warmup, long seed) {
        int evalEvery = Math.max(1, steps / 5);
        return TrainConfig.builder().batchSize(batch).blockSize(block).maxSteps(steps).learningRate(lr).warmupSteps(warmup)
                .evalEvery(evalEvery).evalBatches(50).checkpointEvery(0).keepCheckpoints(1).seed(seed).build();
    }

    private void phase(String name, LanguageModel model, Objective objective, TrainConfig tc, Supplier<Map<String, Double>> validation) throws IOException {
        log.printf(Locale.ROOT, "%s: %d steps%n", name, tc.maxSteps());
        Path dir = runDir.resolve(name);
        Trainer trainer = new Trainer(model, tc, objective, GradientReducer.LOCAL);
        new TrainingRun(trainer, dir, corpus.eos(), validation, progress.apply(name)).run();
        save(model, dir.resolve("model"));
    }

    private int[] streamOf(List<OracleDocument> docs) {
        List<Integer> all = new ArrayList<>();
        for (OracleDocument d : docs) {
            int[] t = corpus.documentTokens(d);
            for (int i = all.isEmpty() ? 0 : 1; i < t.length; i++) all.add(t[i]);
        }
        return all.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Mean NLL per continuation token of examples. */
    static double continuationNll(LanguageModel model, List<TokenizedExample> examples) {
        return ContinuationLikelihood.of(model, examples).perToken();
    }
}
