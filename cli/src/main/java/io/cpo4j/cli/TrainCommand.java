package io.cpo4j.cli;

import io.cpo4j.engine.Engine;
import io.cpo4j.engine.io.FormatException;
import io.cpo4j.model.data.Batch;
import io.cpo4j.model.data.BatchShare;
import io.cpo4j.model.data.BatchSource;
import io.cpo4j.model.data.RandomWindows;
import io.cpo4j.model.data.SequentialWindows;
import io.cpo4j.model.data.TokenShard;
import io.cpo4j.model.data.TokenizedExample;
import io.cpo4j.model.lm.LanguageModel;
import io.cpo4j.model.Presets;
import io.cpo4j.model.gpt.GptConfig;
import io.cpo4j.model.llama.LlamaConfig;
import io.cpo4j.model.lm.ModelConfig;
import io.cpo4j.model.hf.HfCheckpoint;
import io.cpo4j.model.lm.MemoryEstimate;
import io.cpo4j.model.tokenizer.Tokenizer;
import io.cpo4j.model.tokenizer.Tokenizers;
import io.cpo4j.model.train.Evaluation;
import io.cpo4j.model.train.NextTokenObjective;
import io.cpo4j.model.train.Replica;
import io.cpo4j.model.train.TrainConfig;
import io.cpo4j.model.train.Trainer;
import io.cpo4j.model.train.TrainingRun;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/** {@code ./cpo4j train}: next-token training of a GPT-2 or Llama-family model from llm.c token shards, in a run folder. */
final class TrainCommand implements Command {

    /** nanoGPT-like defaults for small models. */
    static final TrainConfig DEFAULTS = TrainConfig.defaults();

    static final List<String> MODEL_FLAGS = List.of("model", "vocab-size", "context", "layers", "heads", "width");

    private static final List<String> VALUED = valued();

    private final DataParallel parallel;

    TrainCommand() {
        this(DataParallel.NONE);
    }

    /** The command as one replica of a data-parallel run. */
    TrainCommand(DataParallel parallel) {
        this.parallel = parallel;
    }
    private static final List<String> FLAGS = flags("resume", "overwrite");

    private static List<String> flags(String... own) {
        List<String> f = new ArrayList<>(List.of(own));
        f.addAll(TrainFlags.SWITCHES);
        return List.copyOf(f);
    }

    private static List<String> valued() {
        List<String> v = new ArrayList<>(List.of("data", "val", "out", "init", "dropout", "tokenizer", "threads", "report-samples"));
        v.addAll(MODEL_FLAGS);
        v.addAll(TrainFlags.names(true));
        return List.copyOf(v);
    }

    @Override
    public String name() {
        return "train";
    }

    @Override
    public String summary() {
        return "train a GPT-2 or Llama-family model with next-token prediction on llm.c .bin token shards";
    }

    @Override
    public String help() {
        return """
                usage: ./cpo4j train --data FILE.bin --out RUN_DIR [--val FILE.bin] [--tokenizer DIR]
                                     [--model PRESET [--vocab-size V] [--context T] [--layers L] [--heads H] [--width C]
                                      | --init MODEL_DIR] [--dropout P] [training flags] [--resume | --overwrite] [--threads N]

                Next-token training (AdamW, warmup + cosine decay, gradient clipping and accumulation) on
                random windows of T+1 tokens of an llm.c token shard (see ./cpo4j tokenizer tokenize).

                The run folder gets config.json (model, training config, data, the command), metrics.jsonl
                (one JSON object per step and validation), checkpoints/step-NNNNNNNN/ (every
                --checkpoint-every steps and at the end; Ctrl-C saves one too), the final model as a
                HuggingFace folder RUN_DIR/model/ (config.json + model.safetensors, plus the tokenizer files,
                so ./cpo4j generate --model RUN_DIR/model finds them), and report.html (curves, last
                values, sample continuations). A folder that already holds a run is refused unless
                --resume is given.

                data
                  --data FILE.bin        training tokens (llm.c shard: uint16 or uint32 tokens)
                  --val FILE.bin         validation tokens: val/loss on --eval-batches batches of sequential
                                         windows spread over the file, every --eval-every steps and at the end
                  --tokenizer DIR        the tokenizer of the shards: copied into RUN_DIR/model/, used for the
                                         report's samples, and its size is the default --vocab-size
                  --out RUN_DIR          the run folder

                model (a new one from a preset, or continued from weights)
                  --model PRESET         GPT-2: tiny (default), gpt2, gpt2-medium, gpt2-large, gpt2-xl;
                                         Llama family: llama-tiny, smollm2-135m, smollm2-360m, qwen2.5-0.5b,
                                         llama-3.2-1b, open-llama-3b (random weights of that shape)
                  --vocab-size V         overrides the preset (default: the tokenizer's size when --tokenizer is
                                         given, else the preset's); must cover every token id of the shards
                  --context T            context length (n_positions)
                  --layers L --heads H --width C   the preset's n_layer, n_head, n_embd (a Llama-family
                                         preset keeps its heads and width; --layers and --context apply)
                  --init MODEL_DIR       start from a HuggingFace folder's weights and shape instead (gpt2,
                                         llama, mistral, qwen2, qwen3: the family is config.json's model_type)
                                         (its tokenizer files come along when --tokenizer is not given)
                  --dropout P            dropout probability, GPT-2 only (default: the preset's 0, or the folder's)

                training (nanoGPT's knobs)
                """ + TrainFlags.help(DEFAULTS, true, "rows of T tokens") + """
                  --report-samples N     greedy continuations of validation text in report.html (default 3;
                                         needs --tokenizer; 0 = none)

                  --resume               continue the run in RUN_DIR from its newest checkpoint exactly where it
                                         stopped (weights, AdamW moments, data order, random streams); the
                                         options saved in its config.json are the defaults and flags given now
                                         win, e.g. a larger --steps (which stretches the cosine schedule);
                                         starts afresh if there is no checkpoint yet
                  --overwrite            start afresh in an existing folder: its config.json, metrics.jsonl,
                                         checkpoints/, model/ and report.html are deleted first, other files
                                         stay. Without it --out must be new, empty or (with --resume) a run
                  --threads N            engine threads (default: all cores); results do not depend on it
                  --config FILE.json     options as a JSON object ({"steps": 100, "lr": 3e-4, ...}); flags win

                A configuration whose estimated memory exceeds the heap is refused before anything is
                allocated, with the estimate (raise the heap with CPO4J_JAVA_OPTS=-Xmx16g).
                One process at a time owns RUN_DIR (RUN_DIR/.cpo4j.lock names it); a second one is refused.
                Ctrl-C saves a checkpoint before the process ends (and lets the model and report be written
                if training had finished); continue with --resume.
                Exit codes: 0 finished, 1 failed, 2 usage error or --out refused (in use, not empty, / or
                the home folder; nothing written), 130 after Ctrl-C.
                """;
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        Options o = Options.parse(name(), args, VALUED, FLAGS);
        Path outDir = Path.of(o.require("out"));
        if (!o.flag("resume")) {                         // refuse bad options before the run folder is made or taken
            o.threads();
            TrainFlags.parse(o, DEFAULTS, Math.max(1, o.integer("block", o.integer("context", 1))));
        }
        try (RunFolder run = RunFolder.open(outDir, name(), o.flag("resume"), o.flag("overwrite"), o, err)) {
            return run(o, args, run, out, err);
        }
    }

    /** The command inside its run folder, which it owns until this returns. */
    private int run(Options o, List<String> args, RunFolder run, PrintStream out, PrintStream err) throws Exception {
        RunInputs inputs = RunInputs.given(o, "data", "val");              // before the saved options: what was given now
        if (o.flag("resume")) {
            Optional<Map<String, Object>> saved = run.savedOptions(List.of("init", "tokenizer"));   // --model is a preset name, not a folder
            if (saved.isPresent()) o.addDefaults(saved.get(), run.config().toString(), VALUED, FLAGS);
            inputs.pinTo(run.config());
            RunInputs.healMetrics(run.metrics(), out, name());
        }
        int threads = o.threads();
        Engine.setThreads(threads);

        Path dataFile = inputs.require(o, "data");
        Optional<Path> valFile = inputs.path(o, "val");
        Optional<Path> init = o.value("init").map(Path::of);
        Optional<Path> tokenizerDir = o.value("tokenizer").map(Path::of);
        if (init.isPresent()) {
            for (String f : MODEL_FLAGS) {
                if (o.value(f).isPresent()) throw o.usage("--" + f + " cannot be combined with --init (the model's shape comes from " + init.get() + "/config.json)");
            }
        }
        Path initDir = init.isPresent() ? ModelFolder.resolve(init.get()) : null;
        if (tokenizerDir.isEmpty() && initDir != null && TokenizerFiles.present(initDir)) tokenizerDir = Optional.of(initDir);
        Tokenizer tokenizer = tokenizerDir.isPresent() ? Tokenizers.load(tokenizerDir.get()) : null;

        ModelConfig model = initDir != null ? HfCheckpoint.readConfig(initDir) : presetConfig(o, tokenizer);
        model = withDropout(o, model);
        if (tokenizer != null && tokenizer.vocabSize() > model.vocabSize()) {
            throw o.usage("the tokenizer has " + tokenizer.vocabSize() + " tokens but the model's vocabulary is " + model.vocabSize() + (initDir == null ? "; raise --vocab-size" : ""));
        }
        int block = o.integer("block", model.contextLength(), 1);
        if (block > model.contextLength()) throw o.usage("--block " + block + " exceeds the model's context length " + model.contextLength() + " (raise --context)");
        TrainConfig tc = TrainFlags.parse(o, DEFAULTS, block);

        TokenShard train = shard(dataFile, model);
        TokenShard val = valFile.isPresent() ? shard(valFile.get(), model) : null;
        RandomWindows windows = new RandomWindows(train, block, tc.seed() + 1);
        TrainConfig replicaConfig = tc.toBuilder().batchSize(Replicas.share(o, parallel, tc.batchSize())).build();
        SequentialWindows valWindows = val == null ? null : new SequentialWindows(val, tc.batchSize(), block);

        MemoryEstimate memory = MemoryEstimate.training(model, replicaConfig.batchSize(), block, tc.gradientCheckpointing());
        memory.requireFits("training " + Figures.model(model) + " at batch " + replicaConfig.batchSize() + " × block " + block);

        LanguageModel gpt;
        if (initDir != null) {
            gpt = model.allocate(tc.seed());
            HfCheckpoint.loadWeights(gpt, initDir);
        } else {
            gpt = model.create(tc.seed());
        }
        int eos = eosToken(tokenizer, initDir, model);
        Replica replica = parallel.replica();
        Replicas.ownDropout(gpt, parallel);
        BatchSource batches = replica.replicas() == 1 ? windows : new BatchShare(windows, replica.rank(), replica.replicas());
        Trainer trainer = new Trainer(gpt, replicaConfig, new NextTokenObjective(gpt, batches), replica.reducer());
        Supplier<Map<String, Double>> validation = valWindows == null ? null : () -> validate(gpt, valWindows, tc.evalBatches());
        TrainingRun.Listener progress = Replicas.listener(Progress.forConsole(out, name()), parallel, trainer);
        TrainingRun training = new TrainingRun(trainer, run.dir(), eos, validation, progress).saveOnExit(parallel == DataParallel.NONE);
        boolean resumed = o.flag("resume") && training.resumeIfPossible();
        if (resumed) parallel.resumed(training.resumedFrom(), trainer);

        String command = RunFolder.commandLine(name(), args);
        Map<String, Object> config = config(o, command, model, tc, dataFile, valFile, initDir, tokenizerDir, eos, trainer.stepsDone());
        inputs.record(config, new java.util.LinkedHashMap<>(Map.of("data", Optional.of(dataFile), "val", valFile)));
        run.writeConfig(config);

        out.println("train: " + Figures.model(model) + (initDir != null ? ", from " + initDir : ""));
        out.printf(Locale.ROOT, "train: %d steps of %d × %d tokens × %d accumulation = %s tokens a step, lr %s (warmup %d, cosine to %s); %d threads%n",
                tc.maxSteps(), tc.batchSize(), block, tc.gradAccumSteps(), Figures.count(tc.tokensPerStep()), Figures.number(tc.learningRate()), tc.warmupSteps(),
                Figures.number(tc.learningRate() * tc.minLrRatio()), threads);
        out.println("train: data " + dataFile + " (" + Figures.count(train.size()) + " tokens)" + (val != null ? ", validation " + valFile.get() + " (" + Figures.count(val.size()) + " tokens)" : ", no validation"));
        out.println("train: memory about " + Figures.bytes(memory.totalBytes()) + " of a " + Figures.bytes(Runtime.getRuntime().maxMemory()) + " heap");
        if (o.flag("resume")) out.println(resumed ? "train: resumed " + run.dir() + " at step " + trainer.stepsDone() + " from " + training.resumedFrom().getFileName() : "train: no checkpoint in " + run.dir() + "; starting at step 0");
        else out.println("train: run folder " + run.dir());
        out.flush();

        TrainingRun.Outcome outcome = training.run();
        if (outcome == TrainingRun.Outcome.INTERRUPTED) {
            out.println("train: interrupted at step " + trainer.stepsDone() + "; checkpoint saved; continue with the same command and --resume");
            return 1;
        }
        HfCheckpoint.save(gpt, run.model(), eos);
        if (tokenizerDir.isPresent()) TokenizerFiles.copy(tokenizerDir.get(), run.model());

        int samples = o.integer("report-samples", 3, 0);
        RunReport.Samples table = tokenizer == null || samples == 0 ? null
                : RunReport.samples(gpt, tokenizer, sampleExamples(val != null ? val : train, samples, model.contextLength()), eos, "model (greedy)");
        List<String> summary = new ArrayList<>();
        summary.add(Figures.model(model) + ", " + trainer.stepsDone() + " steps of " + Figures.count(tc.tokensPerStep()) + " tokens on " + dataFile + ".");
        Map<String, Double> last = lastValues(run);
        summary.add(String.format(Locale.ROOT, "final loss %s%s.", RunReport.format(last.getOrDefault("loss", Double.NaN)),
                last.containsKey("val/loss") ? ", val/loss " + RunReport.format(last.get("val/loss")) + " (perplexity " + RunReport.format(Math.exp(last.get("val/loss"))) + ")" : ""));
        RunReport.write(run, "cpo4j train — " + run.dir(), summary, command, config, table);

        out.printf(Locale.ROOT, "train: finished at step %d: loss %.4f%s%n", trainer.stepsDone(), last.getOrDefault("loss", Double.NaN),
                last.containsKey("val/loss") ? String.format(Locale.ROOT, ", val/loss %.4f (perplexity %.2f)", last.get("val/loss"), Math.exp(last.get("val/loss"))) : "");
        out.println("train: model " + run.model() + ", report " + run.report());
        return 0;
    }

    /** A preset with its overrides; the vocabulary defaults to the tokenizer's size when there is one. */
    private static ModelConfig presetConfig(Options o, Tokenizer tokenizer) {
        String name = o.string("model", "tiny");
        ModelConfig preset;
        try {
            preset = Presets.of(name);
        } catch (IllegalArgumentException e) {
            throw o.usage("--model: " + e.getMessage());
        }
        int vocab = o.integer("vocab-size", tokenizer != null ? tokenizer.vocabSize() : preset.vocabSize(), 1);
        if (preset instanceof LlamaConfig l) {
            for (String fixed : List.of("heads", "width")) {
                if (o.value(fixed).isPresent()) throw o.usage("--" + fixed + " applies to GPT-2 presets; the " + name + " preset keeps its shape (--layers, --context and --vocab-size may change)");
            }
            try {
                return new LlamaConfig(l.modelType(), vocab, o.integer("context", l.contextLength(), 1), o.integer("layers", l.layers(), 1), l.width(),
                        l.hiddenSize(), l.heads(), l.kvHeads(), l.headSize(), l.rmsNormEps(), l.ropeTheta(), l.ropeScaling(), l.qkvBias(), l.outputBias(),
                        l.qkNorm(), l.tiedEmbeddings());
            } catch (IllegalArgumentException e) {
                throw o.usage(e.getMessage());
            }
        }
        GptConfig p = (GptConfig) preset;
        int heads = o.integer("heads", p.heads(), 1), width = o.integer("width", p.width(), 1);
        if (width % heads != 0) throw o.usage("--width " + width + " must be a multiple of --heads " + heads);
        return new GptConfig(vocab, o.integer("context", p.contextLength(), 1), o.integer("layers", p.layers(), 1), heads, width,
                p.dropout(), p.layerNormEps());
    }

    /** The model with --dropout when given; a family without dropout (Llama) refuses any but 0 as a usage error. */
    static ModelConfig withDropout(Options o, ModelConfig model) {
        if (o.value("dropout").isEmpty()) return model;
        try {
            return model.withDropout((float) o.number("dropout", 0, 0, Math.nextDown(1.0)));
        } catch (IllegalArgumentException e) {
            throw o.usage("--dropout: " + e.getMessage());
        }
    }

    private static TokenShard shard(Path file, ModelConfig model) throws IOException {
        TokenShard s = TokenShard.read(file);
        try {
            s.checkVocabulary(model.vocabSize());
        } catch (FormatException e) {
            throw new IOException(e.getMessage() + " (the model's vocab_size); use --vocab-size, or the tokenizer the shard was made with");
        }
        return s;
    }

    private static int eosToken(Tokenizer tokenizer, Path initDir, ModelConfig model) throws IOException {
        int fallback = model.vocabSize() - 1;                      // where cpo4j's and GPT-2's vocabularies keep <|endoftext|>
        if (tokenizer != null && tokenizer.specialTokens().containsKey(tokenizer.endOfText())) return tokenizer.eotToken();
        if (initDir != null) return ModelFolder.eosTokenId(initDir, model.vocabSize(), fallback);
        return fallback;
    }

    /**
     * Validation loss on up to {@code maxBatches} batches of sequential windows, spread evenly over
     * the file: the same windows every time, so the curve compares like with like.
     */
    static Map<String, Double> validate(LanguageModel gpt, SequentialWindows windows, int maxBatches) {
        int n = windows.batchCount(), take = Math.min(n, maxBatches);
        List<Batch> batches = new ArrayList<>(take);
        for (int i = 0; i < take; i++) batches.add(windows.batch((int) ((long) i * n / take)));
        Evaluation.Result r = Evaluation.meanLoss(gpt, batches, Integer.MAX_VALUE);
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("val/loss", r.loss());
        m.put("val/perplexity", r.perplexity());
        return m;
    }

    /** A few (prompt, true continuation) pairs spread over a shard, for the report. */
    private static List<TokenizedExample> sampleExamples(TokenShard shard, int count, int context) {
        int prompt = Math.max(1, Math.min(32, context / 2)), cont = Math.max(1, Math.min(32, context - prompt));
        List<TokenizedExample> out = new ArrayList<>();
        int span = prompt + cont;
        if (shard.size() < span) return out;
        for (int i = 0; i < count; i++) {
            int start = (int) ((long) i * (shard.size() - span) / Math.max(1, count));
            out.add(new TokenizedExample(shard.slice(start, start + prompt), shard.slice(start + prompt, start + span)));
        }
        return out;
    }

    private static Map<String, Double> lastValues(RunFolder run) throws IOException {
        Map<String, Double> last = new LinkedHashMap<>();
        var metrics = io.cpo4j.cli.report.MetricsReader.read(run.metrics());
        for (var kind : metrics.values()) {
            for (var m : kind.entrySet()) if (!m.getValue().isEmpty()) last.put(m.getKey(), m.getValue().lastEntry().getValue());
        }
        return last;
    }

    private static Map<String, Object> config(Options o, String command, ModelConfig model, TrainConfig tc, Path data, Optional<Path> val,
                                              Path init, Optional<Path> tokenizer, int eos, int startStep) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("command", command);
        c.put("cpo4j_command", "train");
        c.put("options", o.asMap());
        c.put("model", HfCheckpoint.configJson(model, eos, eos));
        c.put("train", tc.toJson());
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("train", data.toAbsolutePath().normalize().toString());
        d.put("val", val.map(p -> p.toAbsolutePath().normalize().toString()).orElse(null));
        d.put("train_windows_seed", tc.seed() + 1);
        c.put("data", d);
        c.put("init", init == null ? null : init.toAbsolutePath().normalize().toString());
        c.put("tokenizer", tokenizer.map(p -> p.toAbsolutePath().normalize().toString()).orElse(null));
        c.put("started_at_step", (long) startStep);
        c.put("threads", (long) Engine.threads());
        c.put("java", Runtime.version().toString());
        return c;
    }
}
