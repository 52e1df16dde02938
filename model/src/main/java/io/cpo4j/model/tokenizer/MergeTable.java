package io.cpo4j.model.tokenizer;

import io.cpo4j.engine.Rng;

/**
 * The BPE merges as an open-addressing hash table from a pair of token ids to its rank (lower
 * merges first) and the id of the merged token — a flat primitive table, because BPE looks pairs
 * up in its innermost loop.
 */
final class MergeTable {

    static final int NONE = Integer.MAX_VALUE;

    private final long[] keys;   // (left << 32 | right), or EMPTY
    private final int[] ranks;
    private final int[] results;
    private final int mask;
    private static final long EMPTY = -1L;

    /** mergeLeft[r], mergeRight[r] → mergeResult[r] is the merge of rank r. */
    MergeTable(int[] mergeLeft, int[] mergeRight, int[] mergeResult) {
        int capacity = Integer.highestOneBit(Math.max(4, mergeLeft.length * 2 + 1)) << 1;
        keys = new long[capacity];
        ranks = new int[capacity];
        results = new int[capacity];
        mask = capacity - 1;
        java.util.Arrays.fill(keys, EMPTY);
        for (int r = 0; r < mergeLeft.length; r++) {
            long key = key(mergeLeft[r], mergeRight[r]);
            int slot = slot(key);
            if (keys[slot] == key) continue; // a repeated merge line: the first (lowest) rank wins
            keys[slot] = key;
            ranks[slot] = r;
            results[slot] = mergeResult[r];
        }
    }

    static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private int slot(long key) {
        int i = (int) Rng.mix(key) & mask;
        while (keys[i] != EMPTY && keys[i] != key) i = (i + 1) & mask;
        return i;
    }

    /** The rank of merging (left, right), or {@link #NONE}. */
    int rank(int left, int right) {
        int i = slot(key(left, right));
        return keys[i] == EMPTY ? NONE : ranks[i];
    }

    /** The merged token of (left, right); only meaningful when {@link #rank} is not NONE. */
    int result(int left, int right) {
        return results[slot(key(left, right))];
    }
}
