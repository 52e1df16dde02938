package io.cpo4j.cli.experiment;

import io.cpo4j.cli.eval.ContinuationSample;
import io.cpo4j.cli.eval.Decoding;
import io.cpo4j.cli.eval.EvalTable;
import io.cpo4j.cli.oracle.OracleDocument;
import io.cpo4j.cpo.score.ContinuationLikelihood;
import io.cpo4j.cpo.train.ExampleSource;
import io.cpo4j.cpo.train.CpoConfig;
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
    private final List<OracleDocument> promptDocs, coverageDocs, valDocs;
    private final List<TokenizedExample> examples, valExamples;

    public OracleStudy(DemoConfig cfg, Path runDir, PrintStream log, Function<String, TrainingRun.Listener> progress) throws IOException {
        this.cfg = cfg;
        this.runDir = runDir;
        this.log = log;
        this.progress = progress;
        Files.createDirectories(runDir);
        log.printf(Locale.ROOT, "oracle corpus: %d training documents, BPE vocabulary of 512 …%n", cfg.trainDocs());
        this.corpus = OracleCorpus.build(cfg.seed(), cfg.trainDocs(), 4 * Math.max(cfg.prompts(), cfg.coverageDocs()), 512);
        BpeFiles.save((BpeTokenizer) corpus.tokenizer(), runDir.resolve("tokenizer"));
        this.modelConfig = GptConfig.tiny().withVocabSize(corpus.tokenizer().vocabSize());
        MemoryEstimate.training(modelConfig, Math.max(cfg.batch(), cfg.finetuneBatch() * cfg.cpo().candidates()), modelConfig.contextLength())
                .requireFits("the study's training");
        // held-out documents: prompts, coverage, and validation, disjoint
        List<OracleDocument> held = corpus.heldOut();
        int third = held.size() / 3;
        this.promptDocs = held.subList(0, third);
        this.coverageDocs = held.subList(third, 2 * third);
        this.valDocs = held.subList(2 * third, held.size());
        this.examples = corpus.examples(corpus.train(), cfg.promptWords(), modelConfig.contextLength());
        this.valExamples = corpus.examples(valDocs, cfg.promptWords(), modelConfig.contextLength());
    }

    public OracleCorpus corpus() {
        return corpus;
    }

    public DemoConfig config() {
        return cfg;
    }

    /** Next-token pretraining from scratch on the training stream. */
    public LanguageModel pretrain() throws IOException {
        LanguageModel base = modelConfig.create(cfg.seed());
        int[] valStream = streamOf(valDocs);
        TrainConfig pre = trainConfig(cfg.batch(), cfg.block(), cfg.pretrainSteps(), cfg.pretrainLr(), Math.max(1, cfg.pretrainSteps() / 20));
        SequentialWindows val = new SequentialWindows(TokenShard.of(valStream), cfg.batch(), cfg.block());
        phase("pretrain", base, new NextTokenObjective(base, new RandomWindows(TokenShard.of(corpus.trainingStream()), cfg.block(), cfg.seed())),
                pre, () -> Map.of("val/loss", Evaluation.meanLoss(base, val, 50).loss()));
        return base;
    }

    /** A copy of {@code base} continued for {@code finetuneSteps} with the recipe, in sub-folder {@code name}. */
    public LanguageModel finetune(String name, CpoConfig recipe, LanguageModel base) throws IOException {
        TrainConfig ft = trainConfig(cfg.finetuneBatch(), cfg.block(), cfg.finetuneSteps(), cfg.finetuneLr(), Math.max(1, cfg.finetuneSteps() / 10));
        CpoConfig spec = recipe.toBuilder().eosToken(corpus.eos()).training(ft).build();
        LanguageModel policy = base.copy();
        LanguageModel reference = spec.needsReference() ? base.copy().freeze(true) : null;
        Objective objective = spec.objective(policy, reference, new ExampleSource(examples, cfg.seed() + 11), cfg.seed() + 13);
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

    private TrainConfig trainConfig(int batch, int block, int steps, float lr, int warmup) {
        int evalEvery = Math.max(1, steps / 5);
        return TrainConfig.builder().batchSize(batch).blockSize(block).maxSteps(steps).learningRate(lr).warmupSteps(warmup)
                .evalEvery(evalEvery).evalBatches(50).checkpointEvery(0).keepCheckpoints(1).seed(cfg.seed()).build();
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
