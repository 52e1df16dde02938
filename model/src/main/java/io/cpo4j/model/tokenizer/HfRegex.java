package io.cpo4j.model.tokenizer;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The regular expressions of {@code tokenizer.json} (written for Oniguruma, which HuggingFace's
 * tokenizers use) as {@link java.util.regex} patterns with the same Unicode meaning.
 *
 * <p>{@code \p{L}}, {@code \p{N}} and look-ahead mean the same in both. Java's {@code \s},
 * {@code \d} and {@code \w} are ASCII-only, Oniguruma's are Unicode, so they are spelled out:
 * {@code \s} is the White_Space property (U+00A0, U+2009, U+3000 are spaces; U+200B and U+FEFF
 * are not), {@code \d} is {@code \p{Nd}}, {@code \w} letters, marks, digits and connector
 * punctuation. {@code (?i:…)} stays ASCII case-insensitive, as in transformers.js, so the
 * contraction group {@code (?i:'s|'t|…)} matches {@code 'S} but not the long s {@code 'ſ}.
 */
final class HfRegex {

    private static final String SPACE = "\\p{IsWhite_Space}", NOT_SPACE = "\\P{IsWhite_Space}";
    private static final String WORD = "\\p{L}\\p{M}\\p{Nd}\\p{Pc}";

    private HfRegex() {}

    /** Compiles an Oniguruma-style pattern; a pattern Java cannot read is an IllegalArgumentException with its reason. */
    static Pattern compile(String pattern) {
        try {
            return Pattern.compile(translate(pattern));
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(e.getDescription() + " near index " + e.getIndex());
        }
    }

    static String translate(String pattern) {
        StringBuilder sb = new StringBuilder(pattern.length() + 32);
        int classDepth = 0;
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\' && i + 1 < pattern.length()) {
                char e = pattern.charAt(++i);
                boolean inClass = classDepth > 0;
                switch (e) {
                    case 's' -> sb.append(SPACE);
                    case 'S' -> sb.append(NOT_SPACE);
                    case 'd' -> sb.append("\\p{Nd}");
                    case 'D' -> sb.append("\\P{Nd}");
                    case 'w' -> sb.append(inClass ? WORD : "[" + WORD + "]");
                    case 'W' -> sb.append(inClass ? "[^" + WORD + "]" : "[^" + WORD + "]");
                    default -> sb.append(c).append(e);
                }
            } else {
                if (c == '[') classDepth++;
                else if (c == ']' && classDepth > 0) classDepth--;
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
