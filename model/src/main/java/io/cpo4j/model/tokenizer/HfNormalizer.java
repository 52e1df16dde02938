package io.cpo4j.model.tokenizer;

import io.cpo4j.engine.io.FormatException;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code normalizer} of {@code tokenizer.json}: a text → text step applied to each stretch of
 * text between added tokens, before pre-tokenization. Supported: {@code NFC}, {@code NFD},
 * {@code NFKC}, {@code NFKD}, {@code Prepend}, {@code Replace} and {@code Sequence} of them.
 */
interface HfNormalizer {

    String normalize(String text);

    String TYPES = "NFC, NFD, NFKC, NFKD, Prepend, Replace, Sequence";

    static HfNormalizer parse(HfJson json, Map<String, Object> config, String path) throws FormatException {
        String type = json.type(config, path);
        return switch (type) {
            case "NFC" -> text -> Normalizer.normalize(text, Normalizer.Form.NFC);
            case "NFD" -> text -> Normalizer.normalize(text, Normalizer.Form.NFD);
            case "NFKC" -> text -> Normalizer.normalize(text, Normalizer.Form.NFKC);
            case "NFKD" -> text -> Normalizer.normalize(text, Normalizer.Form.NFKD);
            case "Prepend" -> {
                String prefix = json.string(config, "prepend", path + ".prepend");
                yield text -> prefix + text;
            }
            case "Replace" -> replace(json, config, path);
            case "Sequence" -> {
                List<Object> items = json.array(config, "normalizers", path + ".normalizers");
                List<HfNormalizer> steps = new ArrayList<>();
                for (int i = 0; i < items.size(); i++) {
                    String at = path + ".normalizers[" + i + "]";
                    steps.add(parse(json, json.objectAt(items, i, path + ".normalizers"), at));
                }
                yield text -> {
                    for (HfNormalizer step : steps) text = step.normalize(text);
                    return text;
                };
            }
            default -> throw json.unknownType(path, type, TYPES);
        };
    }

    /** {@code Replace}: every match of {@code pattern} (a {@code String} or a {@code Regex}) becomes {@code content}. */
    static HfNormalizer replace(HfJson json, Map<String, Object> config, String path) throws FormatException {
        Pattern pattern = pattern(json, config, path);
        String content = Matcher.quoteReplacement(json.string(config, "content", path + ".content"));
        return text -> pattern.matcher(text).replaceAll(content);
    }

    /** The {@code pattern} field: {@code {"String": "…"}} (literal) or {@code {"Regex": "…"}}. */
    static Pattern pattern(HfJson json, Map<String, Object> config, String path) throws FormatException {
        Map<String, Object> p = json.object(config, "pattern", path + ".pattern");
        if (p.get("String") != null) return Pattern.compile(Pattern.quote(json.string(p, "String", path + ".pattern.String")));
        if (p.get("Regex") != null) {
            String regex = json.string(p, "Regex", path + ".pattern.Regex");
            try {
                return HfRegex.compile(regex);
            } catch (IllegalArgumentException e) {
                throw json.error(path + ".pattern.Regex", "is not a regular expression this library can read: " + e.getMessage());
            }
        }
        throw json.error(path + ".pattern", "must hold \"String\" or \"Regex\"");
    }
}
