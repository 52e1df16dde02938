package io.cpo4j.cli;

import io.cpo4j.engine.Engine;
import io.cpo4j.model.gen.Generation;
import io.cpo4j.model.gen.GenerationConfig;
import io.cpo4j.model.gen.Generator;
import io.cpo4j.model.gen.Sampling;
import io.cpo4j.model.lm.LanguageModel;
import io.cpo4j.model.lm.ModelConfig;
import io.cpo4j.model.hf.HfCheckpoint;
import io.cpo4j.model.tokenizer.Tokenizer;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** {@code ./cpo4j generate}: text from a prompt, streamed to the terminal as it is generated. */
final class GenerateCommand implements Command {

    private static final List<String> VALUED = List.of("model", "adapter", BaseDTypeFlag.NAME, "prompt", "tokenizer", "max-new-tokens", "temperature", "top-k", "top-p",
            "min-p", "repetition-penalty", "no-repeat-ngram", "n", "seed", "stop", "threads");
    private static final List<String> FLAGS = List.of("greedy", "sliding-window", "allow-special", "continuation-only");

    /** New tokens when --max-new-tokens is not given (fewer when the context has less room). */
    static final int DEFAULT_MAX_NEW_TOKENS = 128;
    static final long DEFAULT_SEED = 1337;
    /**
     * Most samples of one call: all are generated together, each with its own KV cache, and
     * printed at the end, so n is bounded rather than processed in chunks.
     */
    static final int MAX_SAMPLES = 1000;
    /**
     * Most new tokens per sample. Without the sliding window the context bounds them anyway;
     * with it, this keeps one sample's text, tokens and log-probabilities to a few MB.
     */
    static final int MAX_NEW_TOKENS = 1_000_000;

    @Override
    public String name() {
        return "generate";
    }

    @Override
    public String summary() {
        return "continue a prompt with a model (greedy or sampled), streaming the text as it comes";
    }

    @Override
    public String help() {
        return """
                usage: ./cpo4j generate --model DIR [--adapter DIR] --prompt TEXT [options]

                Continues TEXT with the model, printing the prompt and then the continuation as tokens
                arrive. Generation stops at <|endoftext|> (when the vocabulary has it; it is not printed),
                at a stop string (the text is cut where it begins), or after --max-new-tokens tokens.
                A line on stderr tells how many tokens came, how fast, and why each sample stopped.

                  --model DIR              a HuggingFace folder (gpt2, llama, mistral, qwen2, qwen3), or a run
                                           folder of train / finetune (also a LoRA fine-tune's: its adapter/ over
                                           the base it records)
                  --adapter DIR            PEFT LoRA adapters (adapter_config.json + adapter_model.safetensors, or a
                                           LoRA run folder) applied to the --model base
                  --base-dtype D           the base's matrices in bf16, f16 or f32 (default f32): bf16 and f16 take
                                           half the memory, read as they are (norms and biases stay float32)                  --prompt TEXT            the text to continue; an empty prompt starts from <|endoftext|>
                  --tokenizer DIR          the tokenizer (default: the files in the model folder)
                  --max-new-tokens N       at most N new tokens (default %d, or what the context has room for;
                                           at most the context's room, or 1,000,000 with --sliding-window)
                  --greedy                 always take the most likely token (the sampling flags are ignored)
                  --temperature T          divides the logits before sampling (default 1.0; below 1e-30 it is
                                           greedy decoding, said on stderr)
                  --top-k K                sample among the K most likely tokens (default 0 = off)
                  --top-p P                nucleus sampling: the smallest set of probability ≥ P (default 1 = off)
                  --min-p P                drop tokens less likely than P × the most likely (default 0 = off)
                  --repetition-penalty R   CTRL's penalty on tokens already present (default 1 = off)
                  --no-repeat-ngram N      never repeat an n-gram of N tokens (default 0 = off)
                  --n N                    N samples (at most 1000), printed one after another with a separator (the first
                                           streams; all are generated together)
                  --seed S                 random seed (default %d): the same seed gives the same text,
                                           whatever the thread count
                  --stop STRING            stop when the continuation contains STRING; repeat the flag or give a
                                           comma list for several; \\n, \\t, \\, and \\\\ are newline, tab, comma and backslash
                  --sliding-window         at the context length, keep going on the most recent half of the
                                           text instead of refusing
                  --allow-special          read <|endoftext|> in the prompt as the special token, not as text
                  --continuation-only      print only the generated text, not the prompt
                  --threads N              engine threads (default: all cores)
                  --config FILE.json       options as a JSON object; flags win
                """.formatted(DEFAULT_MAX_NEW_TOKENS, DEFAULT_SEED);
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        Options o = Options.parse(name(), args, VALUED, FLAGS);
        Path modelArg = Path.of(o.require("model"));
        String promptText = o.require("prompt");
        Engine.setThreads(o.threads());
        int n = o.integer("n", 1, 1, MAX_SAMPLES);
        Sampling sampling = sampling(o);
        List<String> stops = stopStrings(o);
        if (sampling.decodesGreedily() && !sampling.greedy()) {
            err.println("generate: note: --temperature " + sampling.temperature() + " is below " + Sampling.GREEDY_BELOW
                    + ", where sampling is the most likely token: decoding greedily");
        }
        long seed = o.longValue("seed", DEFAULT_SEED);

        ModelSource source = ModelSource.resolve(modelArg, o.value("adapter"), o);
        ModelConfig config = HfCheckpoint.readConfig(source.base());
        Tokenizer tokenizer = TokenizerFiles.load(o.value("tokenizer"), source.tokenizerDir());
        if (tokenizer.vocabSize() > config.vocabSize()) {
            throw new IllegalArgumentException("the tokenizer has " + tokenizer.vocabSize() + " tokens, more than the model's vocabulary of "
                    + config.vocabSize() + "; is it the model's tokenizer?");
        }
        if (tokenizer.vocabSize() < config.vocabSize()) {
            err.println("generate: note: the model's vocabulary (" + config.vocabSize() + ") is larger than the tokenizer's (" + tokenizer.vocabSize() + "); ids beyond it cannot be printed");
        }
        String endOfText = tokenizer.endOfText();
        Integer eot = tokenizer.specialTokens().get(endOfText);
        int[] prompt = o.flag("allow-special") && eot != null ? tokenizer.encode(promptText, Set.of(endOfText)) : tokenizer.encode(promptText);
        if (prompt.length == 0) {
            if (eot == null) throw o.usage("--prompt is empty and the tokenizer has no " + endOfText + " token to start from");
            prompt = new int[] {eot};
        }
        boolean sliding = o.flag("sliding-window");
        int room = config.contextLength() - prompt.length;
        int maxNew;
        if (o.value("max-new-tokens").isPresent()) {
            maxNew = o.integer("max-new-tokens", 0, 0, MAX_NEW_TOKENS);
            if (!sliding && (long) prompt.length + maxNew > config.contextLength()) {
                throw o.usage("--max-new-tokens " + maxNew + " after the prompt's " + prompt.length + " tokens exceeds the context length "
                        + config.contextLength() + " (at most " + Math.max(0, room) + " here); lower it or add --sliding-window");
            }
        } else {
            if (room <= 0 && !sliding) {
                throw o.usage("the prompt has " + prompt.length + " tokens and fills the context length " + config.contextLength()
                        + "; shorten it or add --sliding-window");
            }
            maxNew = sliding ? DEFAULT_MAX_NEW_TOKENS : Math.min(DEFAULT_MAX_NEW_TOKENS, room);
        }

        GenerationConfig gen = GenerationConfig.of(maxNew, sampling, seed).withSamplesPerPrompt(n).withSlidingWindow(sliding);
        if (eot != null) gen = gen.withStopTokens(eot);
        if (!stops.isEmpty()) gen = gen.withStopStrings(tokenizer::decode, stops.toArray(String[]::new));

        LanguageModel gpt = source.load(BaseDTypeFlag.parse(o));
        gpt.setTraining(false);
        String echo = o.flag("continuation-only") ? "" : promptText;
        List<StringBuilder> buffers = new ArrayList<>();
        List<StreamPrinter> printers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            StringBuilder sb = new StringBuilder();
            buffers.add(sb);
            printers.add(new StreamPrinter(tokenizer, stops, i == 0 ? text -> write(out, text) : sb::append));
        }
        if (n > 1) write(out, separator(1, n));
        write(out, echo);
        long t0 = System.nanoTime();
        final Integer stopToken = eot;
        List<Generation> generations = new Generator(gpt).generate(List.of(prompt), gen, (sequence, token, logProb) -> {
            if (stopToken == null || token != stopToken) printers.get(sequence).add(token);
        });
        double seconds = (System.nanoTime() - t0) / 1e9;
        String first = printers.get(0).finish();
        if (!(echo + first).endsWith("\n")) write(out, "\n");
        for (int i = 1; i < n; i++) {
            String text = printers.get(i).finish();
            write(out, separator(i + 1, n) + echo + text + ((echo + text).endsWith("\n") ? "" : "\n"));
        }
        long tokens = 0;
        Map<String, Integer> reasons = new LinkedHashMap<>();
        for (Generation g : generations) {
            tokens += g.tokens().length;
            reasons.merge(reason(g, endOfText), 1, Integer::sum);
        }
        StringBuilder why = new StringBuilder();
        reasons.forEach((r, c) -> why.append(why.length() == 0 ? "" : ", ").append(n > 1 ? c + "× " : "").append(r));
        err.printf(Locale.ROOT, "generate: %d new tokens in %.2f s (%s tokens/s); stopped at %s%n", tokens, seconds,
                Progress.compact(tokens / Math.max(seconds, 1e-9)), why);
        return 0;
    }

    private static String reason(Generation g, String endOfText) {
        return switch (g.finish()) {
            case STOP_TOKEN -> endOfText;
            case STOP_STRING -> "a stop string";
            case LENGTH -> "max new tokens";
        };
    }

    private static String separator(int i, int n) {
        return String.format(Locale.ROOT, "--- sample %d/%d ---%n", i, n);
    }

    private static Sampling sampling(Options o) {
        if (o.flag("greedy")) return Sampling.greedyDecoding().withRepetitionPenalty(penalty(o)).withNoRepeatNgram(o.integer("no-repeat-ngram", 0, 0));
        double t = o.number("temperature", 1.0);
        if (!(t > 0)) throw o.usage("--temperature must be > 0, got " + t + " (use --greedy for the most likely token)");
        float temperature = o.positiveFloat("temperature", 1.0);
        double topP = o.number("top-p", 1.0);
        if (!(topP > 0 && topP <= 1 && (float) topP > 0)) throw o.usage("--top-p must be in (0, 1], got " + topP);
        double minP = o.number("min-p", 0.0);
        if (!(minP >= 0 && (float) minP < 1)) throw o.usage("--min-p must be in [0, 1), got " + minP);
        return Sampling.temperature(temperature).withTopK(o.integer("top-k", 0, 0)).withTopP((float) topP).withMinP((float) minP)
                .withRepetitionPenalty(penalty(o)).withNoRepeatNgram(o.integer("no-repeat-ngram", 0, 0));
    }

    private static float penalty(Options o) {
        double r = o.number("repetition-penalty", 1.0);
        if (!(r > 0)) throw o.usage("--repetition-penalty must be > 0, got " + r);
        return o.positiveFloat("repetition-penalty", 1.0);
    }

    /** Every --stop value, split at unescaped commas, with \n \t \, \\ unescaped; empty strings dropped. */
    static List<String> stopStrings(Options o) {
        List<String> out = new ArrayList<>();
        for (String v : o.all("stop")) {
            StringBuilder cur = new StringBuilder();
            for (int i = 0; i < v.length(); i++) {
                char c = v.charAt(i);
                if (c == '\\' && i + 1 < v.length()) {
                    char e = v.charAt(++i);
                    switch (e) {
                        case 'n' -> cur.append('\n');
                        case 't' -> cur.append('\t');
                        case ',' -> cur.append(',');
                        case '\\' -> cur.append('\\');
                        default -> cur.append('\\').append(e);
                    }
                } else if (c == ',') {
                    if (!cur.isEmpty()) out.add(cur.toString());
                    cur.setLength(0);
                } else {
                    cur.append(c);
                }
            }
            if (!cur.isEmpty()) out.add(cur.toString());
        }
        return out;
    }

    private static void write(PrintStream out, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        out.write(bytes, 0, bytes.length);
        out.flush();
    }
}
