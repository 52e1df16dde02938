package io.cpo4j.cli;

import io.cpo4j.cpo.negatives.PreferenceNegatives;
import io.cpo4j.engine.io.Json;
import io.cpo4j.model.data.ChatFormat;
import io.cpo4j.model.data.DollyRecord;
import io.cpo4j.model.data.InstructionDataset;
import io.cpo4j.model.data.JsonLines;
import io.cpo4j.model.data.PlainText;
import io.cpo4j.model.data.PreferenceDataset;
import io.cpo4j.model.data.PreferenceRecord;
import io.cpo4j.model.data.PrefixContinuationDataset;
import io.cpo4j.model.data.PromptTemplate;
import io.cpo4j.model.data.Split;
import io.cpo4j.model.data.TextSpanDataset;
import io.cpo4j.model.data.TokenizedExample;
import io.cpo4j.model.data.WikiText;
import io.cpo4j.model.tokenizer.Tokenizer;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The (prefix, continuation) data of {@code finetune}, split deterministically into training and
 * validation: Dolly-style instruction JSONL (Alpaca prompt → response + end-of-text), TRL's preference
 * JSONL (prompt → chosen + end-of-text, the rejected kept for {@code preference} negatives), plain
 * text cut into spans of P prefix + C continuation tokens, or WikiText articles cut the same way.
 * The split and the span offsets use a fixed seed, so {@code --seed} changes the training
 * randomness but never which examples validate.
 */
final class FinetuneData {

    static final List<String> FORMATS = List.of("dolly", "preference", "text", "wikitext");
    static final long SPLIT_SEED = 0;

    /** The two sides and a line saying what they are. */
    record Sides(PrefixContinuationDataset train, PrefixContinuationDataset validation, String description) {}

    private FinetuneData() {}

    /**
     * For .jsonl/.json files: preference when the first record has a {@code chosen} field, dolly
     * otherwise (also when the first line cannot be read: the dolly reader then says why); text for
     * other files.
     */
    static String guessFormat(Path file) {
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!n.endsWith(".jsonl") && !n.endsWith(".json")) return "text";
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                line = line.replace("\uFEFF", "").strip();
                if (line.isEmpty()) continue;
                return Json.parseObject(line, file.toString()).containsKey("chosen") ? "preference" : "dolly";
            }
        } catch (IOException e) {
            return "dolly";
        }
        return "dolly";
    }

    /**
     * @param chat               dolly: the chat convention of the prompt, or empty for Alpaca's plain prompt
     * @param maxRecords         Dolly records kept for training at most (the validation side is not capped)
     * @param validationFraction the share of records (dolly, wikitext: by a hash of their text) or of the
     *                           text's end (text: nanoGPT's tail split) that validates
     */
    static Sides load(Path file, String format, Optional<ChatFormat> chat, Tokenizer tokenizer, double validationFraction, int maxRecords, boolean skipBadLines,
                      int prefixTokens, int continuationTokens, List<String> notes) throws IOException {
        switch (format) {
            case "dolly" -> {
                JsonLines.Result<DollyRecord> read = DollyRecord.read(file, skipBadLines);
                noteSkipped(read, file, notes);
                Split.Parts<DollyRecord> parts = Split.byHash(read.records(), DollyRecord::splitKey, validationFraction, SPLIT_SEED);
                List<DollyRecord> train = parts.train().subList(0, Math.min(maxRecords, parts.train().size()));
                if (chat.isPresent()) {
                    ChatFormat c = chat.get();
                    return new Sides(instructions(train, c, tokenizer), instructions(parts.validation(), c, tokenizer),
                            String.format(Locale.ROOT, "%s: %,d instruction records for training, %,d for validation (%s chat prompt → response + %s)",
                                    file, train.size(), parts.validation().size(), c.id(), c.endOfTurn()));
                }
                return new Sides(new InstructionDataset(train, PromptTemplate.ALPACA, tokenizer),
                        new InstructionDataset(parts.validation(), PromptTemplate.ALPACA, tokenizer),
                        String.format(Locale.ROOT, "%s: %,d instruction records for training, %,d for validation (Alpaca prompt → response + <|endoftext|>)",
                                file, train.size(), parts.validation().size()));
            }
            case "preference" -> {
                JsonLines.Result<PreferenceRecord> read = PreferenceRecord.read(file, skipBadLines);
                noteSkipped(read, file, notes);
                Split.Parts<PreferenceRecord> parts = Split.byHash(read.records(), PreferenceRecord::splitKey, validationFraction, SPLIT_SEED);
                List<PreferenceRecord> train = parts.train().subList(0, Math.min(maxRecords, parts.train().size()));
                long rejected = read.records().stream().mapToLong(r -> r.rejected().size()).sum();
                return new Sides(new PreferenceDataset(train, tokenizer), new PreferenceDataset(parts.validation(), tokenizer),
                        String.format(Locale.ROOT, "%s: %,d preference records for training, %,d for validation, %,d rejected in all (prompt → chosen + <|endoftext|>)",
                                file, train.size(), parts.validation().size(), rejected));
            }
            case "text" -> {
                Split.TextParts parts = Split.tail(PlainText.read(file), validationFraction);
                return spans(file, PlainText.paragraphs(parts.train()), PlainText.paragraphs(parts.validation()), tokenizer, prefixTokens, continuationTokens,
                        "paragraphs; the last " + percent(validationFraction) + " of the text validates");
            }
            case "wikitext" -> {
                Split.Parts<WikiText.Article> parts = Split.byHash(WikiText.read(file, false), a -> a.title() + "\u0000" + a.text(), validationFraction, SPLIT_SEED);
                return spans(file, parts.train().stream().map(WikiText.Article::text).toList(), parts.validation().stream().map(WikiText.Article::text).toList(),
                        tokenizer, prefixTokens, continuationTokens, "articles; " + percent(validationFraction) + " of them validate");
            }
            default -> throw new IllegalArgumentException("unknown data format " + format);
        }
    }

    /** A note for the lines {@code --skip-bad-lines} skipped, naming the first problem. */
    private static void noteSkipped(JsonLines.Result<?> read, Path file, List<String> notes) {
        if (read.skipped() > 0) {
            notes.add("skipped " + read.skipped() + " bad line" + (read.skipped() == 1 ? "" : "s") + " of " + file + " (first: " + read.problems().get(0) + ")");
        }
    }

    /** A chat dataset; a tokenizer without the chat's control tokens is a one-line error that says how to fall back. */
    private static InstructionDataset instructions(List<DollyRecord> records, ChatFormat chat, Tokenizer tokenizer) {
        try {
            return new InstructionDataset(records, chat, tokenizer);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + "; pass --prompt-format plain for Alpaca's prompt", e);
        }
    }

    /**
     * The rejected continuations of preference data as {@code preference} negatives, keyed by each
     * record's (prompt, chosen) example as {@link #examples} fits it, each rejected cut to the room
     * the fitted prompt leaves (TRL cuts rejected as it cuts chosen); empty for other data.
     */
    static Optional<PreferenceNegatives> preferenceNegatives(Sides sides, int maxLength, int maxPrefix) {
        if (!(sides.train() instanceof PreferenceDataset train) || !(sides.validation() instanceof PreferenceDataset validation)) return Optional.empty();
        Map<TokenizedExample, List<int[]>> table = new LinkedHashMap<>();
        for (PreferenceDataset data : List.of(train, validation)) {
            for (int i = 0; i < data.size(); i++) {
                TokenizedExample fitted = data.get(i).truncated(maxLength, maxPrefix);
                int room = maxLength - fitted.prefix().length;
                List<int[]> rejected = table.computeIfAbsent(fitted, k -> new ArrayList<>());
                for (int[] r : data.rejected(i)) rejected.add(r.length > room ? Arrays.copyOf(r, room) : r);
            }
        }
        return Optional.of(new PreferenceNegatives(table));
    }

    private static Sides spans(Path file, List<String> train, List<String> validation, Tokenizer tokenizer, int p, int c, String how) {
        TextSpanDataset t = new TextSpanDataset(train, tokenizer, p, c, SPLIT_SEED), v = new TextSpanDataset(validation, tokenizer, p, c, SPLIT_SEED);
        return new Sides(t, v, String.format(Locale.ROOT, "%s: spans of %d + %d tokens, %,d for training (%,d %s), %,d for validation",
                file, p, c, t.size(), train.size(), how, v.size()));
    }

    private static String percent(double f) {
        return String.format(Locale.ROOT, "%.3g%%", 100 * f);
    }

    /**
     * Up to {@code limit} examples of a dataset in order, each fitted into {@code maxLength} tokens
     * with at most {@code maxPrefix} of prefix (TRL's truncation: the prefix keeps its end, the
     * continuation its start); examples left without prefix or continuation are dropped.
     */
    static List<TokenizedExample> examples(PrefixContinuationDataset data, int maxLength, int maxPrefix, int limit) {
        List<TokenizedExample> out = new ArrayList<>();
        for (int i = 0; i < data.size() && out.size() < limit; i++) {
            TokenizedExample e = data.get(i).truncated(maxLength, maxPrefix);
            if (e.prefix().length > 0 && e.continuation().length > 0) out.add(e);
        }
        return out;
    }
}
