package io.cpo4j.cli;

import io.cpo4j.cli.experiment.Recipes;
import io.cpo4j.cli.report.MetricsReader;
import io.cpo4j.cpo.negatives.MeanFieldNegatives;
import io.cpo4j.cpo.negatives.NegativeGenerator;
import io.cpo4j.cpo.negatives.PreferenceNegatives;
import io.cpo4j.cpo.train.CpoConfig;
import io.cpo4j.cpo.train.CpoTrainer;
import io.cpo4j.cpo.train.LossType;
import io.cpo4j.engine.DType;
import io.cpo4j.engine.Engine;
import io.cpo4j.model.data.ChatFormat;
import io.cpo4j.model.data.TokenizedExample;
import io.cpo4j.model.gen.Sampling;
import io.cpo4j.model.lm.LanguageModel;
import io.cpo4j.model.lm.ModelConfig;
import io.cpo4j.model.hf.HfCheckpoint;
import io.cpo4j.model.lm.MemoryEstimate;
import io.cpo4j.model.lora.LoraConfig;
import io.cpo4j.model.hf.PeftAdapters;
import io.cpo4j.model.tokenizer.Tokenizer;
import io.cpo4j.model.train.TrainConfig;
import io.cpo4j.model.train.Replica;
import io.cpo4j.model.train.TrainingRun;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code ./cpo4j finetune}: sequence-level CPO (plain or ranked), DPO, Xu et al.'s CPO, SimPO,
 * MLE or Parallel Scheduled Sampling on (prefix, continuation) data, from a HuggingFace model, in
 * a run folder laid out as {@code train}'s.
 */
final class FinetuneCommand implements Command {

    /** Fine-tuning defaults: a small learning rate, no weight decay (as HuggingFace's Trainer), batches of 8 examples. */
    static final TrainConfig DEFAULTS = CpoConfig.defaultTraining().build();

    static final double DEFAULT_VALIDATION_FRACTION = 0.05;
    /** Validation negatives come from a fixed seed, so every validation sees the same draw. */
    static final long VALIDATION_SEED = 0;

    private static final List<String> SPEC_FLAGS = List.of("loss-type", "negatives", "k", "beta", "cpo-alpha", "negatives-from",
            "neg-temperature", "neg-top-k", "neg-top-p", "meanfield-fraction", "pss-mix", "simpo-gamma");
    private static final List<String> VALUED = valued();
    private static final List<String> FLAGS = flags("resume", "overwrite", "skip-bad-lines", "share-prefixes", "precompute-ref-log-probs");

    private static List<String> flags(String... own) {
        List<String> f = new ArrayList<>(List.of(own));
        f.addAll(TrainFlags.SWITCHES);
        return List.copyOf(f);
    }

    private static List<String> valued() {
        List<String> v = new ArrayList<>(List.of("model", "data", "data-format", "prompt-format", "tokenizer", "out", "max-length", "max-prefix", "prefix-tokens",
                "continuation-tokens", "val-fraction", "max-examples", "dropout", "threads", "report-samples"));
        v.addAll(SPEC_FLAGS);
        v.addAll(TrainFlags.names(false));
        v.addAll(LoraFlags.NAMES);
        v.add(BaseDTypeFlag.NAME);
        return List.copyOf(v);
    }

    private final DataParallel parallel;

    FinetuneCommand() {
        this(DataParallel.NONE);
    }

    /** The command as one replica of a data-parallel run. */
    FinetuneCommand(DataParallel parallel) {
        this.parallel = parallel;
    }

    @Override
    public String name() {
        return "finetune";
    }

    @Override
    public String summary() {
        return "fine-tune a model with sequence-level CPO, DPO, CPO (Xu), SimPO, MLE or scheduled sampling";
    }

    @Override
    public String help() {
        CpoConfig d = CpoConfig.builder().build();
        return """
                usage: ./cpo4j finetune --model DIR --data FILE --out RUN_DIR [--loss-type NAME] [--negatives G[,G…]]
                                        [--k K] [--beta B] [--lora-r R …] [data flags] [objective flags] [training flags]
                                        [--resume | --overwrite]

                Fine-tunes a GPT-2 or Llama-family model on (prefix, continuation) pairs. Sequence-level
                CPO (Feng et al., NAACL 2025) contrasts the true continuation y₁ with K−1 synthetic negatives
                under a frozen copy of the starting model (the reference): r(y) = β·(log π(y|x) −
                log π_ref(y|x)), summed over the continuation's tokens, and the loss is −log softmax of the
                truth's reward among all K.

                losses (--loss-type, TRL's loss_type, default %s; --objective is its deprecated old name)
                  cpo          sequence-level CPO, plain InfoNCE over K candidates
                  cpo-ranked   sequence-level CPO, Plackett–Luce ranking (negatives ordered by ROUGE-L to the truth)
                  dpo          K = 2 with one synthetic negative
                  cpo-xu       Xu et al. 2024's reference-free CPO (TRL's CPOTrainer): sigmoid loss + α·NLL
                  simpo        SimPO: length-normalised, reference-free, with a margin γ
                  mle          next-token loss on the continuation given the prefix (supervised fine-tuning)
                  pss          Parallel Scheduled Sampling (Duckworth et al. 2019)

                negatives (--negatives, comma list shared round-robin among the K−1 slots, default %s)
                  autoregressive   sampled from the reference (or --negatives-from policy) until <|endoftext|>
                  batch            other examples' continuations
                  meanfield        a fraction of the truth's tokens replaced by the policy's own argmax
                  truncation       the truth cut at a random point and ended with <|endoftext|>
                  preference       the data's own rejected continuations (--data-format preference), each ended
                                   with <|endoftext|>; with more than the slots a seeded draw picks which, and
                                   slots left over go to truncation. Mix with the others, e.g.
                                   --negatives preference,autoregressive

                  --k K                  candidates per prefix, the truth included (default %d; 2 for dpo, cpo-xu, simpo)
                  --beta B               reward scale β (default %s)
                  --cpo-alpha A          add A × the truth's NLL per token to the loss (TRL's cpo_alpha; default 1 for
                                         cpo-xu, 0 for the others; nll_loss is logged anyway; deprecated old names:
                                         --nll-weight, --xu-alpha)
                  --negatives-from M     reference (default) or policy: which model samples autoregressive negatives
                  --share-prefixes       score the K candidates of an example after one pass over its prompt (the
                                         prompt's keys and values shared, gradients summed into them) instead of K;
                                         the same scores to float rounding, faster when prompts are long
                  --precompute-ref-log-probs  keep the reference's log-probability of each example's truth from its
                                         first draw and reuse it whenever the example comes again (TRL's
                                         precompute_ref_log_probs, done lazily; saves reference work after the first epoch)
                  --neg-temperature T --neg-top-k K --neg-top-p P   their sampling (default 1, 0 = off, 1 = off)
                  --meanfield-fraction C share of positions a mean-field negative replaces (default %s)
                  --pss-mix P            PSS's probability of replacing an input token by a sampled one (default %s)
                  --simpo-gamma G        SimPO's target margin (TRL's simpo_gamma; default %s, ours)

                model and data
                  --model DIR            the starting model: a HuggingFace folder (gpt2, llama, mistral, qwen2,
                                         qwen3) or a run folder
                  --tokenizer DIR        default: the tokenizer files in the model folder
                  --data FILE            the examples; the format is --data-format:
                  --data-format F        dolly (default for .jsonl): instruction/context/response records, prompt
                                         in Stanford Alpaca's template, continuation = response + <|endoftext|>
                                         (or the model's chat format: --prompt-format);
                                         preference (default for .jsonl whose first record has "chosen"): TRL's
                                         preference records, "prompt", "chosen" and "rejected" strings ("rejected"
                                         may be a list of several); prefix = the prompt as written, continuation =
                                         chosen + <|endoftext|>, the rejected feed --negatives preference
                                         (conversational message lists are not supported);
                                         text (default otherwise): a UTF-8 text cut at blank lines into documents,
                                         each cut into spans of --prefix-tokens + --continuation-tokens;
                                         wikitext: a WikiText raw file, articles cut into such spans
                  --prompt-format P      dolly: auto (default), chat or plain. auto uses the chat convention of the
                                         chat_template in tokenizer_config.json (the tokenizer folder's, else the
                                         model's) when there is one: ChatML (Qwen, SmolLM2), Llama 3 or [INST]
                                         (Llama 2, Mistral), the context after the instruction in the user turn,
                                         no system turn, the response ended by the end-of-turn token (<|im_end|>,
                                         <|eot_id|>, </s>); without a chat_template, Alpaca's prompt; a template of
                                         another convention is an error. chat insists on a template; plain is
                                         always Alpaca's prompt
                  --skip-bad-lines       dolly, preference: skip (and count) malformed lines instead of failing
                  --prefix-tokens P --continuation-tokens C   span sizes for text data (default 64 each, or
                                         half the context each when that is smaller)
                  --max-length N         prefix + continuation tokens at most (default: the context length); longer
                                         examples are cut as TRL does: the prefix keeps its last --max-prefix
                                         tokens, then the continuation is cut at the end
                  --max-prefix N         default: half of --max-length
                  --val-fraction F       share held out for validation (default %s): dolly, preference and wikitext by a hash
                                         of each record's text (stable, duplicates on one side), text by the tail
                                         of the file (nanoGPT's split); independent of --seed
                  --max-examples N       train on the first N examples only (default: all)
                  --dropout P            dropout while training, GPT-2 only (default: the model folder's)

                validation (every --eval-every steps and at the end, on --eval-batches × --batch validation examples)
                  val/nll_loss and val/perplexity: the policy's NLL per continuation token; val/loss; for contrastive
                  objectives the rewards and rewards/accuracies on the first validation batch, negatives
                  drawn with a fixed seed

                %s
                training (step metrics use TRL's names: loss, nll_loss, rewards/chosen, rewards/rejected,
                rewards/margins, rewards/accuracies, logps/chosen, logps/rejected, plus truth_rank,
                per-generator rewards, grad_norm, lr, tokens_per_sec)
                """.formatted(d.lossType(), Recipes.negativeNames(d).replace('+', ','), d.candidates(), d.beta(), MeanFieldNegatives.DEFAULT_FRACTION, d.pssMix(),
                d.simpoGamma(), DEFAULT_VALIDATION_FRACTION, LoraFlags.help())
                + TrainFlags.help(DEFAULTS, false, "examples") + """
                  --report-samples N     greedy continuations of validation prefixes in report.html (default 3)
                  --out RUN_DIR          the run folder: config.json, metrics.jsonl, checkpoints/, model/ (with the
                                         tokenizer files; adapter/ with LoRA), report.html
                  --overwrite            start afresh in an existing folder (its run files are deleted first,
                                         other files stay); without it --out must be new, empty or a run to --resume
                  --resume               continue RUN_DIR from its newest checkpoint (saved options are the
                                         defaults; flags given now win); the reference stays the --model weights
                  --threads N            engine threads (default: all cores)
                  --config FILE.json     options as a JSON object; flags win

                A configuration whose estimated memory (policy, optimizer, B·K rows of --max-length tokens,
                the reference) exceeds the heap is refused before anything is allocated. Ctrl-C saves a
                checkpoint before the process ends. One process at a time owns RUN_DIR (RUN_DIR/.cpo4j.lock).
                Exit codes: 0 finished, 1 failed, 2 usage error or --out refused (nothing written).
                """;
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        Options o = Options.parse(name(), args, VALUED, FLAGS);
        o.warnings().forEach(err::println);
        Path outDir = Path.of(o.require("out"));
        if (!o.flag("resume")) {                         // refuse bad options before the run folder is made or taken
            o.threads();
            recipe(o);
            promptChoice(o);
            baseDType(o);
            TrainFlags.parse(o, DEFAULTS, Math.max(2, o.integer("max-length", 2)));
        }
        try (RunFolder run = RunFolder.open(outDir, name(), o.flag("resume"), o.flag("overwrite"), o, err)) {
            return run(o, args, run, out, err);
        }
    }

    /** The command inside its run folder, which it owns until this returns. */
    private int run(Options o, List<String> args, RunFolder run, PrintStream out, PrintStream err) throws Exception {
        RunInputs inputs = RunInputs.given(o, "data");              // before the saved options: what was given now
        if (o.flag("resume")) {
            Optional<Map<String, Object>> saved = run.savedOptions(List.of("model", "tokenizer"));
            if (saved.isPresent()) o.addDefaults(saved.get(), run.config().toString(), VALUED, FLAGS);
            inputs.pinTo(run.config());
            RunInputs.healMetrics(run.metrics(), out, name());
        }

        int threads = o.threads();
        Engine.setThreads(threads);
        Path modelDir = ModelFolder.resolve(Path.of(o.require("model")));
        Path dataFile = inputs.require(o, "data");
        String format = o.string("data-format", FinetuneData.guessFormat(dataFile));
        if (!FinetuneData.FORMATS.contains(format)) throw o.usage("--data-format must be one of " + FinetuneData.FORMATS + ", got '" + format + "'");
        CpoConfig recipe = recipe(o);
        if (usesPreference(recipe) && !format.equals("preference")) {
            throw o.usage("--negatives " + Recipes.PREFERENCE + " needs preference data with rejected continuations (JSONL of prompt, chosen and rejected:"
                    + " --data-format preference); " + dataFile + " is read as " + format);
        }

        ModelConfig model = HfCheckpoint.readConfig(modelDir);
        model = TrainCommand.withDropout(o, model);
        Optional<LoraConfig> lora = LoraFlags.parse(o, model.modelType());
        DType baseDType = baseDType(o);
        int ctx = model.contextLength();
        Tokenizer tokenizer = TokenizerFiles.load(o.value("tokenizer"), modelDir);
        if (tokenizer.vocabSize() > model.vocabSize()) {
            throw new IllegalArgumentException("the tokenizer has " + tokenizer.vocabSize() + " tokens, more than the model's vocabulary of " + model.vocabSize());
        }
        String promptChoice = promptChoice(o);
        if (o.value("prompt-format").isPresent() && !format.equals("dolly")) throw o.usage("--prompt-format applies to --data-format dolly, not " + format);
        FinetunePrompt prompt = format.equals("dolly")
                ? FinetunePrompt.choose(promptChoice, List.of(TokenizerFiles.source(o.value("tokenizer"), modelDir), modelDir)) : null;
        Optional<ChatFormat> chat = prompt == null ? Optional.empty() : prompt.chatFormat();
        String endToken = chat.map(ChatFormat::endOfTurn).orElse(tokenizer.endOfText());
        if (!tokenizer.specialTokens().containsKey(endToken)) {
            throw new IllegalArgumentException("the tokenizer has no " + endToken + " token, which ends continuations and negatives"
                    + (chat.isPresent() ? " in the " + chat.get().id() + " chat format; pass --prompt-format plain for Alpaca's prompt" : ""));
        }
        int eos = tokenizer.specialTokens().get(endToken);
        int maxLength = o.integer("max-length", ctx, 2);
        if (maxLength > ctx) throw o.usage("--max-length " + maxLength + " exceeds the model's context length " + ctx);
        int maxPrefix = o.integer("max-prefix", maxLength / 2, 1);
        if (maxPrefix >= maxLength) throw o.usage("--max-prefix " + maxPrefix + " must be below --max-length " + maxLength + " (room is needed for the continuation)");
        int span = Math.max(1, Math.min(64, ctx / 2));
        int prefixTokens = o.integer("prefix-tokens", span, 1), continuationTokens = o.integer("continuation-tokens", span, 1);
        boolean spans = format.equals("text") || format.equals("wikitext");
        if (spans && (prefixTokens > maxPrefix || prefixTokens + continuationTokens > maxLength)) {
            throw o.usage("spans of --prefix-tokens " + prefixTokens + " + --continuation-tokens " + continuationTokens
                    + " do not fit --max-prefix " + maxPrefix + " and --max-length " + maxLength + "; shorten the spans or raise the limits");
        }
        double valFraction = o.number("val-fraction", DEFAULT_VALIDATION_FRACTION, 0, 1);
        TrainConfig tc = TrainFlags.parse(o, DEFAULTS, maxLength);
        CpoConfig trainingSpec = recipe.toBuilder().eosToken(eos).training(tc).build();
        int replicaBatch = Replicas.share(o, parallel, tc.batchSize());     // this process's share of each global batch

        List<String> notes = new ArrayList<>();
        int maxExamples = o.integer("max-examples", Integer.MAX_VALUE, 1);
        FinetuneData.Sides data = FinetuneData.load(dataFile, format, chat, tokenizer, valFraction, maxExamples, o.flag("skip-bad-lines"),
                prefixTokens, continuationTokens, notes);
        CpoConfig spec = withPreferences(trainingSpec, FinetuneData.preferenceNegatives(data, maxLength, maxPrefix), notes);
        List<TokenizedExample> trainExamples = FinetuneData.examples(data.train(), maxLength, maxPrefix, maxExamples);
        if (trainExamples.isEmpty()) {
            throw new IllegalArgumentException(dataFile + ": no training examples (" + data.description() + ")"
                    + (spans ? "; the documents may be shorter than --prefix-tokens + --continuation-tokens" : ""));
        }
        int validationSize = (int) Math.min(Integer.MAX_VALUE, (long) tc.evalBatches() * tc.batchSize());
        List<TokenizedExample> valExamples = FinetuneData.examples(data.validation(), maxLength, maxPrefix, validationSize);
        if (valExamples.isEmpty()) notes.add("no validation examples (raise --val-fraction); validation is off");

        int perExample = spec.rowsPerExample();
        int rows = (int) Math.min(Integer.MAX_VALUE, (long) replicaBatch * perExample);
        MemoryEstimate training = MemoryEstimate.training(model, rows, maxLength, tc.gradientCheckpointing());
        // With LoRA the reference is the base itself; the adapters are counted exactly by the Trainer's own gate.
        if (lora.isPresent()) training = training.withAdapters(model, baseDType, 0);
        long reference = spec.needsReference() && lora.isEmpty() ? MemoryEstimate.parameters(model).parameterBytes() : 0;
        MemoryEstimate memory = new MemoryEstimate(training.parameterBytes() + reference, training.optimizerBytes(), training.activationBytes());
        memory.requireFits("fine-tuning " + Figures.model(model) + " with " + spec.lossType() + " on " + replicaBatch + " × " + perExample
                + " rows of up to " + maxLength + " tokens" + (reference > 0 ? " beside a frozen reference" : "") + (lora.isPresent() ? " with LoRA adapters" : ""));

        LanguageModel base = baseDType.isHalf() ? model.allocateFrozen(baseDType, tc.seed()) : model.allocate(tc.seed());
        LanguageModel policy = lora.isPresent() ? LoraFlags.attach(o, base, lora.get(), tc.seed()) : base;   // targets checked before the weights are read
        HfCheckpoint.loadWeights(base, modelDir);
        Replica replica = parallel.replica();
        Replicas.ownDropout(policy, parallel);
        CpoConfig replicaSpec = spec.toBuilder().training(tc.toBuilder().batchSize(replicaBatch).build()).build();
        CpoTrainer cpo = new CpoTrainer(policy, null, trainExamples, replicaSpec, replica);
        var trainer = cpo.trainer();
        FinetuneValidation validation = valExamples.isEmpty() ? null
                : new FinetuneValidation(policy, cpo.reference(), spec, valExamples, VALIDATION_SEED);
        Progress progress = spec.isContrastive() ? Progress.forConsole(out, name(), "rewards/accuracies") : Progress.forConsole(out, name());
        TrainingRun training2 = new TrainingRun(trainer, run.dir(), eos, validation, Replicas.listener(progress, parallel, trainer))
                .saveOnExit(parallel == DataParallel.NONE);
        boolean resumed = o.flag("resume") && training2.resumeIfPossible();
        if (resumed) parallel.resumed(training2.resumedFrom(), trainer);

        String command = RunFolder.commandLine(name(), args);
        Path tokenizerDir = TokenizerFiles.source(o.value("tokenizer"), modelDir);
        Map<String, Object> config = config(o, command, modelDir, model, eos, spec, tc, dataFile, format, chat, data, trainExamples.size(), valExamples.size(),
                maxLength, maxPrefix, tokenizerDir, trainer.stepsDone());
        lora.ifPresent(l -> config.put("lora", LoraFlags.toJson(l)));
        if (lora.isPresent()) config.put("base_dtype", BaseDTypeFlag.name(baseDType));
        inputs.record(config, Map.of("data", Optional.of(dataFile)));
        run.writeConfig(config);

        out.println("finetune: " + Figures.model(model) + " from " + modelDir);
        lora.ifPresent(l -> out.println("finetune: LoRA r " + l.r() + ", lora_alpha " + Figures.number(l.alpha()) + ", lora_dropout " + Figures.number(l.dropout())
                + ", target_modules " + String.join(",", l.targetModules()) + ", base " + BaseDTypeFlag.name(baseDType) + ": " + Figures.count(policy.parameters().count()) + " trainable parameters"));
        out.println("finetune: " + Recipes.describe(spec) + "; " + tc.maxSteps() + " steps of " + tc.batchSize() + " examples × " + tc.gradAccumSteps()
                + " accumulation, lr " + Figures.number(tc.learningRate()) + "; " + threads + " threads");
        if (prompt != null) out.println("finetune: prompt: " + prompt.description());
        out.println("finetune: " + data.description() + "; " + trainExamples.size() + " training examples used, " + valExamples.size() + " validate");
        for (String n : notes) out.println("finetune: note: " + n);
        out.println("finetune: memory about " + Figures.bytes(memory.totalBytes()) + " of a " + Figures.bytes(Runtime.getRuntime().maxMemory()) + " heap");
        if (o.flag("resume")) out.println(resumed ? "finetune: resumed " + run.dir() + " at step " + trainer.stepsDone() + " from " + training2.resumedFrom().getFileName() : "finetune: no checkpoint in " + run.dir() + "; starting at step 0");
        else out.println("finetune: run folder " + run.dir());
        out.flush();

        if (training2.run() == TrainingRun.Outcome.INTERRUPTED) {
            out.println("finetune: interrupted at step " + trainer.stepsDone() + "; checkpoint saved; continue with the same command and --resume");
            return 1;
        }
        Path saved = lora.isPresent() ? run.adapter() : run.model();
        if (lora.isPresent()) PeftAdapters.save(policy, saved, modelDir.toAbsolutePath().normalize().toString());
        else HfCheckpoint.save(policy, saved, eos);
        TokenizerFiles.copy(tokenizerDir, saved);

        int samples = o.integer("report-samples", 3, 0);
        RunReport.Samples table = samples == 0 || valExamples.isEmpty() ? null
                : RunReport.samples(policy, tokenizer, valExamples.subList(0, Math.min(samples, valExamples.size())), eos, spec.lossType() + " (greedy)");
        Map<String, Double> last = new LinkedHashMap<>();
        MetricsReader.read(run.metrics()).values().forEach(kind -> kind.forEach((k, series) -> {
            if (!series.isEmpty()) last.put(k, series.lastEntry().getValue());
        }));
        List<String> summary = List.of(Figures.model(model) + " from " + modelDir + ", fine-tuned for " + trainer.stepsDone() + " steps: " + Recipes.describe(spec)
                        + lora.map(l -> "; LoRA r " + l.r() + " on " + String.join(",", l.targetModules()) + ", adapters in " + RunFolder.ADAPTER + "/").orElse("") + ".",
                data.description() + ".", lastLine(last));
        RunReport.write(run, "cpo4j finetune — " + run.dir(), summary, command, config, table);
        out.println("finetune: finished at step " + trainer.stepsDone() + ": " + lastLine(last));
        out.println("finetune: " + (lora.isPresent() ? "adapter " : "model ") + saved + ", report " + run.report());
        return 0;
    }

    private static String promptChoice(Options o) {
        String choice = o.string("prompt-format", "auto");
        if (!FinetunePrompt.CHOICES.contains(choice)) throw o.usage("--prompt-format must be one of " + FinetunePrompt.CHOICES + ", got '" + choice + "'");
        return choice;
    }

    private static boolean usesPreference(CpoConfig c) {
        return c.isContrastive() && c.negatives().stream().anyMatch(g -> g instanceof PreferenceNegatives);
    }

    /** The recipe with its preference negatives holding the data's rejected continuations (a note when the data has some but the recipe takes none). */
    private static CpoConfig withPreferences(CpoConfig spec, Optional<PreferenceNegatives> preferences, List<String> notes) {
        if (preferences.isEmpty()) return spec;
        if (!usesPreference(spec)) {
            if (spec.isContrastive()) notes.add("the data's rejected continuations are unused; add " + Recipes.PREFERENCE + " to --negatives to contrast with them");
            return spec;
        }
        List<NegativeGenerator> negatives = new ArrayList<>();
        for (NegativeGenerator g : spec.negatives()) negatives.add(g instanceof PreferenceNegatives ? preferences.get() : g);
        return spec.toBuilder().negatives(negatives).build();
    }

    /**
     * The recipe from the flags (training settings and the end-of-text token come later); impossible combinations are usage errors.
     * A {@code preference} generator is a placeholder without rejected continuations until the data is read.
     */
    static CpoConfig recipe(Options o) {
        CpoConfig d = CpoConfig.builder().build();
        LossType lossType;
        try {
            lossType = LossType.of(o.string("loss-type", d.lossType().id()));
        } catch (IllegalArgumentException e) {
            throw o.usage("--loss-type: " + e.getMessage());
        }
        List<String> names = o.value("negatives").map(v -> Arrays.stream(v.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList())
                .orElse(List.of(Recipes.negativeNames(d).split("\\+")));
        for (String n : names) {
            if (!Recipes.NEGATIVES.contains(n) && !n.equals(Recipes.PREFERENCE)) {
                throw o.usage("--negatives: unknown generator '" + n + "'; choose from " + String.join(", ", Recipes.NEGATIVES) + ", " + Recipes.PREFERENCE);
            }
        }
        String from = o.string("negatives-from", "reference");
        if (!from.equals("reference") && !from.equals("policy")) throw o.usage("--negatives-from must be reference or policy, got '" + from + "'");
        float temperature = o.positiveFloat("neg-temperature", 1.0);
        float topP = o.floatNumber("neg-top-p", 1.0, 0, 1);
        if (!(topP > 0)) throw o.usage("--neg-top-p must be in (0, 1], got " + topP);
        Sampling sampling = Sampling.temperature(temperature).withTopK(o.integer("neg-top-k", 0, 0)).withTopP(topP);
        double fraction = o.number("meanfield-fraction", MeanFieldNegatives.DEFAULT_FRACTION, 0, 1);
        List<NegativeGenerator> negatives = new ArrayList<>();
        double beta = o.number("beta", d.beta());
        if (!(beta > 0)) throw o.usage("--beta must be > 0, got " + beta);
        try {
            for (String n : names) {
                negatives.add(n.equals(Recipes.PREFERENCE) ? new PreferenceNegatives(Map.of()) : Recipes.negative(n, sampling, from.equals("policy"), fraction));
            }
            CpoConfig.Builder b = CpoConfig.builder().lossType(lossType).negatives(negatives).candidates(o.integer("k", d.candidates(), 2)).beta(beta)
                    .pssMix(o.number("pss-mix", d.pssMix(), 0, 1)).simpoGamma(o.number("simpo-gamma", d.simpoGamma()));
            if (o.value("cpo-alpha").isPresent()) b.cpoAlpha(o.number("cpo-alpha", 0, 0, Double.MAX_VALUE));
            return b.sharePrefixes(o.flag("share-prefixes")).precomputeRefLogProbs(o.flag("precompute-ref-log-probs")).build();
        } catch (IllegalArgumentException e) {
            throw o.usage(e.getMessage());
        }
    }

    private static String lastLine(Map<String, Double> last) {
        StringBuilder sb = new StringBuilder();
        for (String k : List.of("loss", "nll_loss", "rewards/accuracies", "rewards/margins", "val/loss", "val/nll_loss", "val/perplexity", "val/rewards/accuracies")) {
            if (last.containsKey(k)) sb.append(sb.length() == 0 ? "" : ", ").append(k).append(' ').append(RunReport.format(last.get(k)));
        }
        return sb.toString();
    }

    private static Map<String, Object> config(Options o, String command, Path modelDir, ModelConfig model, int eos, CpoConfig spec, TrainConfig tc,
                                              Path data, String format, Optional<ChatFormat> chat, FinetuneData.Sides sides, int trainExamples, int valExamples,
                                              int maxLength, int maxPrefix, Path tokenizer, int startStep) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("command", command);
        c.put("cpo4j_command", "finetune");
        c.put("options", o.asMap());
        c.put("init", modelDir.toAbsolutePath().normalize().toString());
        c.put("model", HfCheckpoint.configJson(model, eos, eos));
        c.put("finetune", spec.toJson());
        Map<String, Object> t = new LinkedHashMap<>(tc.toJson());
        t.remove("block_size");                                  // rows are sized by max_length
        c.put("train", t);
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("file", data.toAbsolutePath().normalize().toString());
        d.put("format", format);
        if (format.equals("dolly")) d.put("prompt_format", chat.map(ChatFormat::id).orElse("plain"));
        d.put("description", sides.description());
        d.put("train_examples", (long) trainExamples);
        d.put("validation_examples", (long) valExamples);
        d.put("max_length", (long) maxLength);
        d.put("max_prefix", (long) maxPrefix);
        d.put("split_seed", FinetuneData.SPLIT_SEED);
        c.put("data", d);
        c.put("tokenizer", tokenizer.toAbsolutePath().normalize().toString());
        c.put("started_at_step", (long) startStep);
        c.put("threads", (long) Engine.threads());
        c.put("java", Runtime.version().toString());
        return c;
    }

    /** --base-dtype; bf16 or f16 needs --lora-r (a half-precision base is frozen: only adapters can train on it). */
    private static DType baseDType(Options o) {
        boolean lora = LoraFlags.requested(o);
        DType d = BaseDTypeFlag.parse(o);
        if (d.isHalf() && !lora) {
            throw o.usage("--" + BaseDTypeFlag.NAME + " " + BaseDTypeFlag.name(d) + " needs --" + LoraFlags.R
                    + ": a " + BaseDTypeFlag.name(d) + " base is frozen, so only LoRA adapters can train on it");
        }
        return d;
    }
}
