package io.cpo4j.cli;

import io.cpo4j.engine.io.FormatException;
import io.cpo4j.model.data.PlainText;
import io.cpo4j.model.data.TokenShard;
import io.cpo4j.model.data.WikiText;
import io.cpo4j.model.tokenizer.BpeFiles;
import io.cpo4j.model.tokenizer.BpeTokenizer;
import io.cpo4j.model.tokenizer.BpeTrainer;
import io.cpo4j.model.tokenizer.CharTokenizer;
import io.cpo4j.model.tokenizer.HfTokenizer;
import io.cpo4j.model.tokenizer.IntList;
import io.cpo4j.model.tokenizer.Tokenizer;
import io.cpo4j.model.tokenizer.Tokenizers;
import io.cpo4j.model.tokenizer.Utf8;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** {@code ./cpo4j tokenizer encode|decode|train|tokenize}: tokenizers and llm.c token shards from the shell. */
final class TokenizerCommand implements Command {

    @Override
    public String name() {
        return "tokenizer";
    }

    @Override
    public String summary() {
        return "encode / decode text, train a BPE vocabulary, tokenize a file into an llm.c .bin shard";
    }

    /** {@code tokenizer encode --help}: that subcommand's usage line and paragraph, plus the notes on folders and errors. */
    @Override
    public String help(List<String> args) {
        if (args.isEmpty() || !List.of("encode", "decode", "train", "tokenize").contains(args.get(0))) return help();
        String sub = args.get(0);
        StringBuilder usage = new StringBuilder(), body = new StringBuilder(), notes = new StringBuilder();
        boolean inSub = false, afterUsage = false;
        for (String line : help().split("\n", -1)) {
            String t = line.strip();
            if (t.startsWith("usage: ./cpo4j tokenizer " + sub + " ") || t.startsWith("./cpo4j tokenizer " + sub + " ")) {
                usage.append("usage: ").append(t.startsWith("usage: ") ? t.substring(7) : t).append('\n');
                inSub = false;
                afterUsage = true;
            } else if (t.startsWith("[") && afterUsage) {
                usage.append("       ").append(t).append('\n');
            } else if (line.startsWith(sub + " ") || (inSub && line.startsWith("           "))) {
                body.append(line).append('\n');
                inSub = true;
                afterUsage = false;
            } else {
                inSub = false;
                afterUsage = false;
                if (t.startsWith("A tokenizer DIR") || t.startsWith("(HuggingFace") || t.startsWith("Errors are")) notes.append(t).append('\n');
            }
        }
        return usage + "\n" + body + "\n" + notes;
    }

    @Override
    public String help() {
        return """
                usage: ./cpo4j tokenizer encode   --tokenizer DIR [--allow-special] [--add-special-tokens]
                       ./cpo4j tokenizer decode   --tokenizer DIR
                       ./cpo4j tokenizer train    --data FILE --vocab-size N --out DIR [--type bpe|char] [--overwrite]
                       ./cpo4j tokenizer tokenize --tokenizer DIR --data FILE --out FILE.bin
                                                  [--format text|wikitext] [--restore-markers] [--allow-special]

                A tokenizer DIR holds encoder.json + vocab.bpe (GPT-2's files), vocab.json + merges.txt
                (HuggingFace's names for the same), chars.json (a character-level vocabulary), or
                tokenizer.json + tokenizer_config.json (a HuggingFace tokenizer: Llama 3, Qwen, SentencePiece BPE).

                encode     UTF-8 text on stdin → token ids on stdout, space-separated, on one line.
                           <|endoftext|> in the text is plain text unless --allow-special is given.
                           With a tokenizer.json, added tokens (<|im_start|>, <s> …) in the text are always
                           recognised, as HuggingFace does; --add-special-tokens also adds the BOS/EOS the
                           tokenizer puts around a text (add_bos_token / add_eos_token).
                decode     token ids on stdin (separated by spaces or newlines) → text on stdout.
                           Ids that end inside a character give U+FFFD, as Python's errors="replace".
                train      learns a byte-level BPE vocabulary of N tokens from FILE (GPT-2's pre-tokenizer;
                           ids 0-255 are bytes, the last id is <|endoftext|>) and writes DIR/encoder.json and
                           DIR/vocab.bpe; with --type char, writes DIR/chars.json (one token per character of
                           FILE, plus <|endoftext|>) and ignores --vocab-size. DIR must be new or empty;
                           --overwrite deletes the tokenizer files already there first (other files stay).
                tokenize   encodes FILE and writes an llm.c token shard (256 int32 header: magic, version,
                           count), atomically: uint16 tokens (magic 20240520, version 1, GPT-2's format) for
                           vocabularies up to 65,536 tokens, uint32 tokens (magic 20240801, version 7,
                           LLaMA-3's format) above. --format wikitext reads a WikiText raw file and puts
                           <|endoftext|> before each article (as llm.c's preparation scripts do before each
                           document); --restore-markers turns " @-@ ", " @,@ ", " @.@ " back into "-", ",", ".".

                Errors are one line naming the file and position; exit code 1 (2 for a usage mistake).
                """;
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        if (args.isEmpty()) throw new Options.UsageException(name() + ": expected a subcommand: encode, decode, train or tokenize (see ./cpo4j tokenizer --help)");
        String sub = args.get(0);
        List<String> rest = args.subList(1, args.size());
        String command = name() + " " + sub;
        return switch (sub) {
            case "encode" -> encode(Options.parse(command, rest, List.of("tokenizer"), List.of("allow-special", "add-special-tokens")), out);
            case "decode" -> decode(Options.parse(command, rest, List.of("tokenizer"), List.of()), out);
            case "train" -> train(Options.parse(command, rest, List.of("data", "vocab-size", "out", "type"), List.of("overwrite")), command, out, err);
            case "tokenize" -> tokenize(Options.parse(command, rest, List.of("tokenizer", "data", "out", "format"), List.of("restore-markers", "allow-special")), command, out);
            default -> throw new Options.UsageException(name() + ": unknown subcommand '" + sub + "'; expected encode, decode, train or tokenize");
        };
    }

    /** Largest --vocab-size: ten times GPT-2's, far beyond what a BPE trained here reaches. */
    static final int MAX_VOCAB = 500_000;

    private static String require(Options opts, String option, String command, String what) {
        return opts.value(option).orElseThrow(() -> new Options.UsageException(command + ": --" + option + " " + what + " is required"));
    }

    private static Tokenizer tokenizer(Options opts, String command) throws IOException {
        return Tokenizers.load(Path.of(require(opts, "tokenizer", command, "DIR")));
    }

    private static Set<String> allowed(Options opts, Tokenizer tokenizer) {
        return opts.flag("allow-special") ? Set.of(tokenizer.endOfText()) : Set.of();
    }

    private static int encode(Options opts, PrintStream out) throws IOException {
        Tokenizer tokenizer = tokenizer(opts, "tokenizer encode");
        boolean addSpecial = opts.flag("add-special-tokens");
        if (addSpecial && !(tokenizer instanceof HfTokenizer)) {
            throw new Options.UsageException("tokenizer encode: --add-special-tokens needs a HuggingFace tokenizer.json folder (this one adds no BOS/EOS)");
        }
        String text = Utf8.decodeStrict(io.cpo4j.engine.io.TextFiles.readBytes(System.in, "stdin", io.cpo4j.engine.io.TextFiles.dataCap()), "stdin");
        int[] ids = tokenizer instanceof HfTokenizer hf ? hf.encode(text, addSpecial) : tokenizer.encode(text, allowed(opts, tokenizer));
        StringBuilder sb = new StringBuilder(ids.length * 6 + 1);
        for (int i = 0; i < ids.length; i++) {
            if (i > 0) sb.append(' ');
            sb.append(ids[i]);
        }
        write(out, sb.append('\n').toString());
        return 0;
    }

    private static int decode(Options opts, PrintStream out) throws IOException {
        Tokenizer tokenizer = tokenizer(opts, "tokenizer decode");
        String input = Utf8.decodeStrict(io.cpo4j.engine.io.TextFiles.readBytes(System.in, "stdin", io.cpo4j.engine.io.TextFiles.dataCap()), "stdin");
        IntList ids = new IntList();
        int item = 0;
        for (String word : input.strip().split("\\s+")) {
            if (word.isEmpty()) continue;
            item++;
            try {
                ids.add(Integer.parseInt(word));
            } catch (NumberFormatException e) {
                throw new FormatException("stdin", "'" + (word.length() > 20 ? word.substring(0, 20) + "…" : word) + "' (item " + item + ") is not a token id");
            }
        }
        write(out, tokenizer.decode(ids.toArray()));
        return 0;
    }

    private static int train(Options opts, String command, PrintStream out, PrintStream err) throws IOException {
        Path data = Path.of(require(opts, "data", command, "FILE"));
        require(opts, "out", command, "DIR");
        Path dir = opts.folder("out");
        String type = opts.value("type").orElse("bpe");
        if (!type.equals("bpe") && !type.equals("char")) throw new Options.UsageException(command + ": --type must be bpe or char, got '" + type + "'");
        int vocabSize = type.equals("bpe")
                ? opts.intValue("vocab-size").orElseThrow(() -> new Options.UsageException(command + ": --vocab-size N is required"))
                : 0;
        if (type.equals("bpe") && vocabSize < BpeTrainer.MIN_VOCAB) {
            throw new Options.UsageException(command + ": --vocab-size must be at least " + BpeTrainer.MIN_VOCAB + " (256 bytes + <|endoftext|>), got " + vocabSize);
        }
        if (vocabSize > MAX_VOCAB) throw new Options.UsageException(command + ": --vocab-size must be at most " + MAX_VOCAB + ", got " + vocabSize);
        String text = PlainText.read(data);
        try (OutFolder.Taken taken = OutFolder.take(dir, command, opts.flag("overwrite"), "the tokenizer", TokenizerFiles.NAMES, opts, err)) {
            return train(text, type, vocabSize, data, dir, out);
        }
    }

    private static int train(String text, String type, int vocabSize, Path data, Path dir, PrintStream out) throws IOException {
        long t0 = System.nanoTime();
        if (type.equals("char")) {
            CharTokenizer chars = CharTokenizer.fromText(text);
            chars.save(dir);
            write(out, String.format(Locale.ROOT, "built a character vocabulary of %d tokens (%d characters + <|endoftext|>) from %s → %s%n",
                    chars.vocabSize(), chars.vocabSize() - 1, data, dir.resolve(CharTokenizer.FILE)));
            return 0;
        }
        BpeTokenizer bpe = BpeTrainer.train(text, vocabSize);
        double seconds = (System.nanoTime() - t0) / 1e9;
        BpeFiles.save(bpe, dir);
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "trained a byte-level BPE of %,d tokens (%,d merges) on %,d characters in %.1f s → %s, %s%n",
                bpe.vocabSize(), bpe.mergeCount(), text.length(), seconds, dir.resolve(BpeFiles.ENCODER_JSON), dir.resolve(BpeFiles.VOCAB_BPE)));
        if (bpe.vocabSize() < vocabSize) {
            sb.append(String.format(Locale.ROOT, "note: stopped at %,d of %,d tokens: every pre-tokenized piece of the text is already one token%n", bpe.vocabSize(), vocabSize));
        }
        write(out, sb.toString());
        return 0;
    }

    private static int tokenize(Options opts, String command, PrintStream out) throws IOException {
        Tokenizer tokenizer = tokenizer(opts, command);
        Path data = Path.of(require(opts, "data", command, "FILE"));
        Path target = Path.of(require(opts, "out", command, "FILE.bin"));
        String format = opts.value("format").orElse("text");
        if (!format.equals("text") && !format.equals("wikitext")) throw new Options.UsageException(command + ": --format must be text or wikitext, got '" + format + "'");
        if (opts.flag("restore-markers") && !format.equals("wikitext")) throw new Options.UsageException(command + ": --restore-markers needs --format wikitext");
        long t0 = System.nanoTime();
        IntList ids = new IntList(1 << 16);
        long chars;
        if (format.equals("wikitext")) {
            List<WikiText.Article> articles = WikiText.read(data, opts.flag("restore-markers"));
            chars = 0;
            for (WikiText.Article a : articles) {
                ids.add(tokenizer.eotToken());
                ids.addAll(tokenizer.encode(a.text(), allowed(opts, tokenizer)));
                chars += a.text().length();
            }
        } else {
            String text = PlainText.read(data);
            ids.addAll(tokenizer.encode(text, allowed(opts, tokenizer)));
            chars = text.length();
        }
        TokenShard.write(target, ids.toArray(), tokenizer.vocabSize());
        double seconds = (System.nanoTime() - t0) / 1e9;
        write(out, String.format(Locale.ROOT, "wrote %,d %s tokens to %s (%,d characters, %.2f characters a token, %.1f s)%n",
                ids.size(), TokenShard.Format.forVocabulary(tokenizer.vocabSize()).name().toLowerCase(Locale.ROOT), target, chars, ids.size() == 0 ? 0.0 : (double) chars / ids.size(), seconds));
        return 0;
    }

    private static void write(PrintStream out, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        out.write(bytes, 0, bytes.length);
        out.flush();
    }
}
