package io.cpo4j.cli;

import io.cpo4j.model.data.ChatFormat;
import io.cpo4j.model.data.DollyRecord;
import io.cpo4j.model.data.InstructionDataset;
import io.cpo4j.model.data.JsonLines;
import io.cpo4j.model.data.PlainText;
import io.cpo4j.model.data.PrefixContinuationDataset;
import io.cpo4j.model.data.PromptTemplate;
import io.cpo4j.model.data.Split;
import io.cpo4j.model.data.TextSpanDataset;
import io.cpo4j.model.data.TokenizedExample;
import io.cpo4j.model.data.WikiText;
import io.cpo4j.model.tokenizer.Tokenizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The (prefix, continuation) data of {@code finetune}, split deterministically into training and
 * validation: Dolly-style instruction JSONL (Alpaca prompt → response + end-of-text), plain text
 * cut into spans of P prefix + C continuation tokens, or WikiText articles cut the same way.
 * The split and the span offsets use a fixed seed, so {@code --seed} changes the training
 * randomness but never which examples validate.
 */
final class FinetuneData {

    static final List<String> FORMATS = List.of("dolly", "text", "wikitext");
    static final long SPLIT_SEED = 0;

    /** The two sides and a line saying what they are. */
    record Sides(PrefixContinuationDataset train, PrefixContinuationDataset validation, String description) {}

    private FinetuneData() {}

    /** dolly for .jsonl/.json files, text otherwise. */
    static String guessFormat(Path file) {
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".jsonl") || n.endsWith(".json") ? "dolly" : "text";
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
                if (read.skipped() > 0) {
                    notes.add("skipped " + read.skipped() + " bad line" + (read.skipped() == 1 ? "" : "s") + " of " + file + " (first: " + read.problems().get(0) + ")");
                }
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

    /** A chat dataset; a tokenizer without the chat's control tokens is a one-line error that says how to fall back. */
    private static InstructionDataset instructions(List<DollyRecord> records, ChatFormat chat, Tokenizer tokenizer) {
        try {
            return new InstructionDataset(records, chat, tokenizer);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + "; pass --prompt-format plain for Alpaca's prompt", e);
        }
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
