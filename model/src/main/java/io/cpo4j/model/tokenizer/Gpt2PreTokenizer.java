package io.cpo4j.model.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * GPT-2's pre-tokenizer: the text is cut into pieces that BPE never merges across, by the
 * pattern of OpenAI's {@code encoder.py}
 * <pre>'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+</pre>
 * with Unicode classes: {@code \p{L}} letters, {@code \p{N}} numbers (Nd, Nl, No) and {@code \s}
 * the Unicode White_Space property, as Python's {@code regex} module reads it (U+00A0, U+2009,
 * U+3000… are spaces; U+200B and U+FEFF are not). Java's default {@code \s} is ASCII only, so the
 * scanner here is hand-written — a table lookup per ASCII character instead of a regex match —
 * and {@link #PATTERN} is kept as the reference it is tested against.
 */
public final class Gpt2PreTokenizer {

    /** The same pattern for {@link java.util.regex}, which needs White_Space spelled out. */
    public static final Pattern PATTERN = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\p{IsWhite_Space}\\p{L}\\p{N}]+"
                    + "|\\p{IsWhite_Space}+(?!\\P{IsWhite_Space})|\\p{IsWhite_Space}+");

    private static final byte LETTER = 0, NUMBER = 1, SPACE = 2, OTHER = 3;
    private static final byte[] ASCII = new byte[128];

    static {
        for (int c = 0; c < 128; c++) ASCII[c] = classifyCodePoint(c);
    }

    private Gpt2PreTokenizer() {}

    /** The end (exclusive) of the piece that starts at {@code start}, which must be < text.length(). */
    public static int end(CharSequence text, int start) {
        int n = text.length();
        char c = text.charAt(start);
        if (c == '\'' && start + 1 < n) {
            char d = text.charAt(start + 1);
            if (d == 's' || d == 't' || d == 'm' || d == 'd') return start + 2;
            if (start + 2 < n) {
                char e = text.charAt(start + 2);
                if ((d == 'r' && e == 'e') || (d == 'v' && e == 'e') || (d == 'l' && e == 'l')) return start + 3;
            }
        }
        // " ?\p{L}+", " ?\p{N}+", " ?[^\s\p{L}\p{N}]+": an optional space, then a run of one class.
        int runStart = (c == ' ' && start + 1 < n) ? start + 1 : start;
        byte cls = classAt(text, runStart);
        if (cls != SPACE) return runEnd(text, runStart, cls);
        // "\s+(?!\S)" leaves the last space of a run for the word after it; "\s+" takes a lone one.
        int i = start + 1;
        while (i < n && classAt(text, i) == SPACE) i++;
        if (i == n || i - start == 1) return i;
        return i - 1;
    }

    /** The pieces of a text, in order; they concatenate back to the text. */
    public static List<String> split(CharSequence text) {
        List<String> pieces = new ArrayList<>();
        for (int i = 0; i < text.length(); ) {
            int j = end(text, i);
            pieces.add(text.subSequence(i, j).toString());
            i = j;
        }
        return pieces;
    }

    private static int runEnd(CharSequence text, int i, byte cls) {
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (c < 128) {
                if (ASCII[c] != cls) break;
                i++;
            } else {
                int cp = Character.codePointAt(text, i);
                if (classifyCodePoint(cp) != cls) break;
                i += Character.charCount(cp);
            }
        }
        return i;
    }

    private static byte classAt(CharSequence text, int i) {
        char c = text.charAt(i);
        return c < 128 ? ASCII[c] : classifyCodePoint(Character.codePointAt(text, i));
    }

    private static byte classifyCodePoint(int cp) {
        if (isWhiteSpace(cp)) return SPACE;
        switch (Character.getType(cp)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                 Character.MODIFIER_LETTER, Character.OTHER_LETTER -> {
                return LETTER;
            }
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> {
                return NUMBER;
            }
            default -> {
                return OTHER;
            }
        }
    }

    /** Unicode's White_Space property (not {@link Character#isWhitespace}, which drops no-break spaces). */
    static boolean isWhiteSpace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F
                || cp == 0x205F || cp == 0x3000;
    }
}
