package io.cpo4j.model.tokenizer;

import io.cpo4j.engine.io.AtomicFiles;
import io.cpo4j.engine.io.FormatException;
import io.cpo4j.engine.io.Json;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One token per character (Unicode code point), as nanoGPT's {@code shakespeare_char}: the
 * vocabulary is the sorted set of characters of a training text, plus {@code <|endoftext|>} as the
 * last id (so that sequences can end). For tiny experiments; a character outside the vocabulary is
 * an error naming it. Saved as {@code chars.json}.
 */
public final class CharTokenizer implements Tokenizer {

    public static final String FILE = "chars.json";

    private final int[] chars;    // (V−1,) sorted code points; id = index
    private final int[] asciiId = new int[128];

    public CharTokenizer(int[] codePoints) {
        int[] sorted = codePoints.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            if (!Character.isValidCodePoint(sorted[i]) || (sorted[i] >= 0xD800 && sorted[i] <= 0xDFFF)) {
                throw new IllegalArgumentException("not a Unicode character: " + sorted[i]);
            }
            if (i > 0 && sorted[i] == sorted[i - 1]) throw new IllegalArgumentException(String.format("character U+%04X is listed twice", sorted[i]));
        }
        this.chars = sorted;
        Arrays.fill(asciiId, -1);
        for (int i = 0; i < sorted.length && sorted[i] < 128; i++) asciiId[sorted[i]] = i;
    }

    /** The vocabulary of every character in a text. */
    public static CharTokenizer fromText(String text) {
        return new CharTokenizer(text.codePoints().distinct().toArray());
    }

    @Override
    public int[] encode(String text) {
        IntList out = new IntList(text.length());
        encodeOrdinary(text, out);
        return out.toArray();
    }

    @Override
    public int[] encode(String text, Set<String> allowedSpecial) {
        if (allowedSpecial.isEmpty()) return encode(text);
        return SpecialTokens.encode(text, allowedSpecial, specialTokens(), this::encodeOrdinary);
    }

    private void encodeOrdinary(String text, IntList out) {
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int id = cp < 128 ? asciiId[cp] : Arrays.binarySearch(chars, cp);
            if (id < 0) {
                throw new IllegalArgumentException(String.format("character '%s' (U+%04X) at position %d is not in this character vocabulary of %d characters",
                        new String(Character.toChars(cp)), cp, i, chars.length));
            }
            out.add(id);
            i += Character.charCount(cp);
        }
    }

    @Override
    public String decode(int[] ids) {
        StringBuilder sb = new StringBuilder(ids.length);
        for (int i = 0; i < ids.length; i++) {
            int id = ids[i];
            if (id == chars.length) sb.append(ENDOFTEXT);
            else if (id >= 0 && id < chars.length) sb.appendCodePoint(chars[id]);
            else throw new IllegalArgumentException("token id " + id + " at position " + i + " is outside the vocabulary [0, " + vocabSize() + ")");
        }
        return sb.toString();
    }

    @Override
    public int vocabSize() {
        return chars.length + 1;
    }

    @Override
    public int eotToken() {
        return chars.length;
    }

    @Override
    public Map<String, Integer> specialTokens() {
        return Map.of(ENDOFTEXT, chars.length);
    }

    /** Writes {@code dir/chars.json} atomically. */
    public void save(Path dir) throws IOException {
        List<Object> list = new ArrayList<>();
        for (int cp : chars) list.add(new String(Character.toChars(cp)));
        AtomicFiles.writeString(dir.resolve(FILE), Json.writePretty(Map.of("type", "char", "chars", list)));
    }

    /** Reads a {@code chars.json}: {@code {"type": "char", "chars": ["\n", " ", "!", …]}}. */
    public static CharTokenizer load(Path file) throws IOException {
        String source = file.toString();
        Map<String, Object> obj = Json.parseObject(Utf8.readFile(file), source);
        if (!"char".equals(obj.get("type"))) throw new FormatException(source, "field \"type\" must be \"char\"");
        if (!(obj.get("chars") instanceof List<?> list)) throw new FormatException(source, "field \"chars\" must be an array of one-character strings");
        TreeSet<Integer> seen = new TreeSet<>();
        int[] cps = new int[list.size()];
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof String s) || s.isEmpty() || s.codePointCount(0, s.length()) != 1 || Character.isSurrogate(s.charAt(0)) && s.length() == 1) {
                throw new FormatException(source, "chars[" + i + "] must be a string of exactly one character, found " + Json.write(list.get(i)));
            }
            cps[i] = s.codePointAt(0);
            if (!seen.add(cps[i])) throw new FormatException(source, "chars[" + i + "] repeats " + Json.write(s));
        }
        return new CharTokenizer(cps);
    }

    @Override
    public String toString() {
        return "CharTokenizer(vocab " + vocabSize() + ")";
    }
}
