package io.cpo4j.model.tokenizer;

import io.cpo4j.engine.io.FormatException;
import io.cpo4j.engine.io.Json;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code pre_tokenizer} of {@code tokenizer.json}: cuts normalized text into pieces that BPE
 * never merges across. Supported: {@code Split} (a regex or string, behaviour {@code Isolated} or
 * {@code Removed}), {@code ByteLevel} (GPT-2's byte → character mapping, with its optional
 * {@code add_prefix_space} and GPT-2 {@code use_regex} split) and {@code Sequence} of them.
 */
interface HfPreTokenizer {

    /** Appends the pieces of {@code piece} to {@code out}. */
    void split(String piece, List<String> out);

    String TYPES = "Split, ByteLevel, Sequence";

    /** Whether pieces leave this step in GPT-2's byte-level alphabet. */
    default boolean byteLevel() {
        return false;
    }

    static HfPreTokenizer parse(HfJson json, Map<String, Object> config, String path) throws FormatException {
        String type = json.type(config, path);
        return switch (type) {
            case "Split" -> split(json, config, path);
            case "ByteLevel" -> new ByteLevelStep(json.flag(config, "add_prefix_space", false, path + ".add_prefix_space"),
                    json.flag(config, "use_regex", true, path + ".use_regex"));
            case "Sequence" -> {
                List<Object> items = json.array(config, "pretokenizers", path + ".pretokenizers");
                List<HfPreTokenizer> steps = new ArrayList<>();
                for (int i = 0; i < items.size(); i++) {
                    HfPreTokenizer step = parse(json, json.objectAt(items, i, path + ".pretokenizers"), path + ".pretokenizers[" + i + "]");
                    if (!steps.isEmpty() && steps.get(steps.size() - 1).byteLevel()) {
                        throw json.error(path + ".pretokenizers[" + i + "]", "follows a ByteLevel step; this library needs ByteLevel to be the last pre-tokenizer");
                    }
                    steps.add(step);
                }
                yield new SequenceStep(steps);
            }
            default -> throw json.unknownType(path, type, TYPES);
        };
    }

    private static HfPreTokenizer split(HfJson json, Map<String, Object> config, String path) throws FormatException {
        Pattern pattern = HfNormalizer.pattern(json, config, path);
        if (json.flag(config, "invert", false, path + ".invert")) throw json.error(path + ".invert", "is true, which this library does not support");
        String behavior = json.string(config, "behavior", path + ".behavior");
        return switch (behavior) {
            case "Isolated" -> new SplitStep(pattern, true);
            case "Removed" -> new SplitStep(pattern, false);
            default -> throw json.error(path + ".behavior", "is " + Json.write(behavior) + ", which this library does not support (supported: Isolated, Removed)");
        };
    }

    /** Splits at each match; the matches are pieces too ({@code Isolated}) or dropped ({@code Removed}). */
    record SplitStep(Pattern pattern, boolean keepMatches) implements HfPreTokenizer {
        @Override
        public void split(String piece, List<String> out) {
            Matcher m = pattern.matcher(piece);
            int prev = 0;
            while (m.find()) {
                if (m.end() == m.start()) continue;
                if (m.start() > prev) out.add(piece.substring(prev, m.start()));
                if (keepMatches) out.add(piece.substring(m.start(), m.end()));
                prev = m.end();
            }
            if (prev < piece.length()) out.add(prev == 0 ? piece : piece.substring(prev));
        }
    }

    /** GPT-2's byte-level step: each piece's UTF-8 bytes, written in the {@link ByteLevel} alphabet. */
    record ByteLevelStep(boolean addPrefixSpace, boolean useRegex) implements HfPreTokenizer {
        @Override
        public void split(String piece, List<String> out) {
            if (addPrefixSpace && !piece.startsWith(" ")) piece = " " + piece;
            if (!useRegex) {
                out.add(toByteLevel(piece, 0, piece.length()));
                return;
            }
            for (int i = 0; i < piece.length(); ) {
                int j = Gpt2PreTokenizer.end(piece, i);
                out.add(toByteLevel(piece, i, j));
                i = j;
            }
        }

        @Override
        public boolean byteLevel() {
            return true;
        }

        static String toByteLevel(String text, int from, int to) {
            boolean printableAscii = true;
            for (int i = from; i < to && printableAscii; i++) {
                char c = text.charAt(i);
                printableAscii = c > ' ' && c < 0x7F;
            }
            if (printableAscii) return text.substring(from, to);
            int[] end = new int[1];
            byte[] bytes = Utf8.encode(text, from, to, new byte[3 * (to - from)], 0, end);
            char[] chars = new char[end[0]];
            for (int k = 0; k < chars.length; k++) chars[k] = ByteLevel.charOf(bytes[k]);
            return new String(chars);
        }
    }

    /** Each step applied to every piece the steps before it made. */
    record SequenceStep(List<HfPreTokenizer> steps) implements HfPreTokenizer {
        @Override
        public void split(String piece, List<String> out) {
            List<String> pieces = new ArrayList<>(List.of(piece));
            for (HfPreTokenizer step : steps) {
                List<String> next = new ArrayList<>(pieces.size() * 2);
                for (String p : pieces) step.split(p, next);
                pieces = next;
            }
            out.addAll(pieces);
        }

        @Override
        public boolean byteLevel() {
            return !steps.isEmpty() && steps.get(steps.size() - 1).byteLevel();
        }
    }
}
