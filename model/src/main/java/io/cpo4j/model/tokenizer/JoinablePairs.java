package io.cpo4j.model.tokenizer;

import io.cpo4j.engine.Rng;

import java.util.Collection;

/**
 * The pairs of characters (code points) that sit next to each other inside some token of a
 * vocabulary. A BPE merge joins two symbols into a token that contains the last character of the
 * left one followed by the first of the right one; so where two neighbouring characters of a text
 * are not such a pair, no merge can ever join across them, and the text on either side can be
 * merged on its own with exactly the same result.
 */
final class JoinablePairs {

    private static final long EMPTY = -1L;
    private final long[] keys;
    private final int mask;

    JoinablePairs(Collection<String> tokens) {
        long pairs = 0;
        for (String t : tokens) pairs += Math.max(0, t.length() - 1);
        int capacity = Integer.highestOneBit((int) Math.min(1 << 29, Math.max(4, pairs * 2 + 1))) << 1;
        keys = new long[capacity];
        mask = capacity - 1;
        java.util.Arrays.fill(keys, EMPTY);
        for (String t : tokens) {
            int prev = -1;
            for (int i = 0; i < t.length(); ) {
                int cp = t.codePointAt(i);
                i += Character.charCount(cp);
                if (prev >= 0) add(key(prev, cp));
                prev = cp;
            }
        }
    }

    /** Whether some token holds {@code left} immediately followed by {@code right}. */
    boolean contains(int left, int right) {
        long key = key(left, right);
        int i = (int) Rng.mix(key) & mask;
        while (keys[i] != EMPTY) {
            if (keys[i] == key) return true;
            i = (i + 1) & mask;
        }
        return false;
    }

    private void add(long key) {
        int i = (int) Rng.mix(key) & mask;
        while (keys[i] != EMPTY && keys[i] != key) i = (i + 1) & mask;
        keys[i] = key;
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }
}
