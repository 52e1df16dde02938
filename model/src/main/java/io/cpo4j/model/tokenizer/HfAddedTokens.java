package io.cpo4j.model.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Cuts a text at the added tokens of {@code tokenizer.json} ({@code <|im_start|>}, {@code <s>} …)
 * before any normalization, as HuggingFace does: at each position the longest added token that
 * starts there wins, the leftmost position first. A token marked {@code lstrip} ({@code rstrip})
 * takes the white space on its left (right) with it; one marked {@code single_word} is only
 * recognised when no letter, digit or underscore touches it.
 */
final class HfAddedTokens {

    /** One entry of {@code added_tokens}. */
    record Token(int id, String content, boolean special, boolean lstrip, boolean rstrip, boolean singleWord, boolean normalized) {}

    /** A stretch of text: either ordinary text ({@code token == null}) or one added token. */
    record Section(String text, Token token) {}

    private final Map<Character, Token[]> byFirstChar = new HashMap<>(); // longest first

    HfAddedTokens(List<Token> tokens) {
        Map<Character, List<Token>> lists = new HashMap<>();
        for (Token t : tokens) {
            if (!t.content().isEmpty()) lists.computeIfAbsent(t.content().charAt(0), c -> new ArrayList<>()).add(t);
        }
        for (Map.Entry<Character, List<Token>> e : lists.entrySet()) {
            Token[] ts = e.getValue().toArray(new Token[0]);
            Arrays.sort(ts, Comparator.comparingInt((Token t) -> t.content().length()).reversed());
            byFirstChar.put(e.getKey(), ts);
        }
    }

    boolean isEmpty() {
        return byFirstChar.isEmpty();
    }

    List<Section> split(String text) {
        List<Section> sections = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length(); ) {
            Token match = matchAt(text, i);
            if (match == null) {
                i++;
                continue;
            }
            if (i > start) sections.add(new Section(text.substring(start, i), null));
            sections.add(new Section(match.content(), match));
            i += match.content().length();
            start = i;
        }
        if (start < text.length()) sections.add(new Section(start == 0 ? text : text.substring(start), null));
        for (int k = 0; k < sections.size(); k++) {
            Token t = sections.get(k).token();
            if (t == null) continue;
            if (t.lstrip() && k > 0 && sections.get(k - 1).token() == null) {
                sections.set(k - 1, new Section(stripEnd(sections.get(k - 1).text()), null));
            }
            if (t.rstrip() && k + 1 < sections.size() && sections.get(k + 1).token() == null) {
                sections.set(k + 1, new Section(stripStart(sections.get(k + 1).text()), null));
            }
        }
        return sections;
    }

    private Token matchAt(String text, int i) {
        Token[] candidates = byFirstChar.get(text.charAt(i));
        if (candidates == null) return null;
        for (Token t : candidates) {
            if (!text.startsWith(t.content(), i)) continue;
            if (t.singleWord() && (wordCharBefore(text, i) || wordCharAt(text, i + t.content().length()))) continue;
            return t;
        }
        return null;
    }

    private static boolean wordCharBefore(String text, int i) {
        return i > 0 && isWordChar(text.codePointBefore(i));
    }

    private static boolean wordCharAt(String text, int i) {
        return i < text.length() && isWordChar(text.codePointAt(i));
    }

    private static boolean isWordChar(int cp) {
        return Character.isLetterOrDigit(cp) || cp == '_';
    }

    private static boolean isSpace(char c) {
        return Gpt2PreTokenizer.isWhiteSpace(c) || c == '\uFEFF';
    }

    private static String stripEnd(String s) {
        int end = s.length();
        while (end > 0 && isSpace(s.charAt(end - 1))) end--;
        return s.substring(0, end);
    }

    private static String stripStart(String s) {
        int start = 0;
        while (start < s.length() && isSpace(s.charAt(start))) start++;
        return s.substring(start);
    }
}
