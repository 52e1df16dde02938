package io.cpo4j.model.tokenizer;

import java.util.Map;
import java.util.Set;

/** Cuts a text at the special tokens a caller allows, encoding the ordinary text between them. */
final class SpecialTokens {

    /** Encodes ordinary text (no special tokens) and appends its ids. */
    interface Ordinary {
        void encode(String text, IntList out);
    }

    private SpecialTokens() {}

    static int[] encode(String text, Set<String> allowed, Map<String, Integer> special, Ordinary ordinary) {
        for (String s : allowed) {
            if (!special.containsKey(s)) {
                throw new IllegalArgumentException("'" + s + "' is not a special token of this vocabulary (special tokens: " + special.keySet() + ")");
            }
        }
        IntList out = new IntList(Math.max(16, text.length() / 3));
        int from = 0;
        while (true) {
            int at = -1;
            String found = null;
            for (String s : allowed) {
                int i = text.indexOf(s, from);
                // The earliest match wins; at the same place, the longest.
                if (i >= 0 && (at < 0 || i < at || (i == at && s.length() > found.length()))) {
                    at = i;
                    found = s;
                }
            }
            if (found == null) {
                if (from < text.length()) ordinary.encode(from == 0 ? text : text.substring(from), out);
                return out.toArray();
            }
            if (at > from) ordinary.encode(text.substring(from, at), out);
            out.add(special.get(found));
            from = at + found.length();
        }
    }
}
