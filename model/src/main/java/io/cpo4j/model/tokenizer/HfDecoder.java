package io.cpo4j.model.tokenizer;

import io.cpo4j.engine.io.FormatException;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code decoder} of {@code tokenizer.json}: token texts → token texts, joined at the end.
 * Supported: {@code ByteLevel} (byte-alphabet text → UTF-8, added tokens kept as written),
 * {@code Replace}, {@code ByteFallback} ({@code <0xNN>} runs → UTF-8), {@code Fuse} (join),
 * {@code Strip} (up to {@code start}/{@code stop} copies of {@code content} off each end) and
 * {@code Sequence} of them. Invalid UTF-8 becomes U+FFFD as in {@link Utf8#decodeLenient}.
 */
interface HfDecoder {

    List<String> decode(List<String> tokens);

    String TYPES = "ByteLevel, Replace, ByteFallback, Fuse, Strip, Sequence";

    static HfDecoder parse(HfJson json, Map<String, Object> config, String path, Set<String> addedTokens) throws FormatException {
        String type = json.type(config, path);
        return switch (type) {
            case "ByteLevel" -> tokens -> byteLevel(tokens, addedTokens);
            case "Replace" -> {
                Pattern pattern = HfNormalizer.pattern(json, config, path);
                String content = Matcher.quoteReplacement(json.string(config, "content", path + ".content"));
                yield tokens -> {
                    List<String> out = new ArrayList<>(tokens.size());
                    for (String t : tokens) out.add(pattern.matcher(t).replaceAll(content));
                    return out;
                };
            }
            case "ByteFallback" -> HfDecoder::byteFallback;
            case "Fuse" -> tokens -> List.of(String.join("", tokens));
            case "Strip" -> {
                String content = json.string(config, "content", path + ".content");
                if (content.length() != 1) throw json.error(path + ".content", "must be one character, found " + HfJson.show(content));
                int start = json.integer(config, "start", 0, Integer.MAX_VALUE, path + ".start");
                int stop = json.integer(config, "stop", 0, Integer.MAX_VALUE, path + ".stop");
                char c = content.charAt(0);
                yield tokens -> {
                    List<String> out = new ArrayList<>(tokens.size());
                    for (String t : tokens) out.add(strip(t, c, start, stop));
                    return out;
                };
            }
            case "Sequence" -> {
                List<Object> items = json.array(config, "decoders", path + ".decoders");
                List<HfDecoder> steps = new ArrayList<>();
                for (int i = 0; i < items.size(); i++) {
                    steps.add(parse(json, json.objectAt(items, i, path + ".decoders"), path + ".decoders[" + i + "]", addedTokens));
                }
                yield tokens -> {
                    for (HfDecoder step : steps) tokens = step.decode(tokens);
                    return tokens;
                };
            }
            default -> throw json.unknownType(path, type, TYPES);
        };
    }

    /** Runs of byte-alphabet tokens become their UTF-8 text; added tokens stand for themselves. */
    private static List<String> byteLevel(List<String> tokens, Set<String> addedTokens) {
        List<String> out = new ArrayList<>();
        ByteArrayOutputStream run = new ByteArrayOutputStream();
        for (String t : tokens) {
            if (addedTokens.contains(t)) {
                if (run.size() > 0) out.add(Utf8.decodeLenient(run.toByteArray()));
                run.reset();
                out.add(t);
                continue;
            }
            for (int i = 0; i < t.length(); i++) {
                int b = ByteLevel.byteOf(t.charAt(i));
                if (b >= 0) {
                    run.write(b);
                } else {
                    // A character outside the byte alphabet stands for itself, as in HuggingFace's tokenizers.
                    run.writeBytes(String.valueOf(t.charAt(i)).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                }
            }
        }
        if (run.size() > 0) out.add(Utf8.decodeLenient(run.toByteArray()));
        return out;
    }

    /** Runs of {@code <0xNN>} tokens become their UTF-8 text. */
    private static List<String> byteFallback(List<String> tokens) {
        List<String> out = new ArrayList<>(tokens.size());
        ByteArrayOutputStream run = new ByteArrayOutputStream();
        for (String t : tokens) {
            int b = byteToken(t);
            if (b >= 0) {
                run.write(b);
                continue;
            }
            if (run.size() > 0) out.add(Utf8.decodeLenient(run.toByteArray()));
            run.reset();
            out.add(t);
        }
        if (run.size() > 0) out.add(Utf8.decodeLenient(run.toByteArray()));
        return out;
    }

    /** The byte of a {@code <0xNN>} token, or −1. */
    static int byteToken(String t) {
        if (t.length() != 6 || !t.startsWith("<0x") || t.charAt(5) != '>') return -1;
        int hi = Character.digit(t.charAt(3), 16), lo = Character.digit(t.charAt(4), 16);
        return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
    }

    private static String strip(String t, char c, int start, int stop) {
        int from = 0, to = t.length();
        while (from < start && from < to && t.charAt(from) == c) from++;
        int cut = 0;
        while (cut < stop && to > from && t.charAt(to - 1) == c) {
            to--;
            cut++;
        }
        return t.substring(from, to);
    }
}
