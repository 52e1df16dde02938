package io.cpo4j.model.tokenizer;

import java.util.Arrays;

/**
 * The BPE step of OpenAI's {@code encoder.py}: in one pre-tokenized piece, find the adjacent pair
 * with the lowest merge rank, merge all its occurrences left to right, repeat until no pair has a
 * rank. Short pieces (almost all of them) use that loop directly; long ones — a run of thousands
 * of letters without a space — use a linked list and a heap, so that cost grows as n·log n rather
 * than n², with exactly the same result.
 */
final class BpeMerge {

    /** Above this many symbols a piece takes the heap path. */
    static final int LONG_PIECE = 64;

    private BpeMerge() {}

    /** Merges sym[0, len) in place; returns the new length. */
    static int merge(MergeTable table, int[] sym, int len) {
        return len > LONG_PIECE ? mergeLong(table, sym, len) : mergeShort(table, sym, len);
    }

    static int mergeShort(MergeTable table, int[] sym, int len) {
        while (len >= 2) {
            int best = MergeTable.NONE, left = 0, right = 0;
            for (int k = 0; k + 1 < len; k++) {
                int r = table.rank(sym[k], sym[k + 1]);
                if (r < best) {
                    best = r;
                    left = sym[k];
                    right = sym[k + 1];
                }
            }
            if (best == MergeTable.NONE) break;
            int merged = table.result(left, right);
            int w = 0;
            for (int k = 0; k < len; ) {
                if (k + 1 < len && sym[k] == left && sym[k + 1] == right) {
                    sym[w++] = merged;
                    k += 2;
                } else {
                    sym[w++] = sym[k++];
                }
            }
            len = w;
        }
        return len;
    }

    /**
     * The same merges over a linked list of symbols. A heap holds (rank, position) of candidate
     * pairs; all pairs of the lowest rank are merged in position order — skipping those a merge
     * on their left consumed — before the pairs the round created are added, as encoder.py does.
     */
    static int mergeLong(MergeTable table, int[] sym, int len) {
        int[] tok = Arrays.copyOf(sym, len);
        int[] next = new int[len];
        int[] prev = new int[len];
        boolean[] dead = new boolean[len];
        LongHeap heap = new LongHeap(len);
        for (int k = 0; k < len; k++) {
            next[k] = k + 1 < len ? k + 1 : -1;
            prev[k] = k - 1;
            if (k + 1 < len) push(heap, table, tok[k], tok[k + 1], k);
        }
        int[] merged = new int[len];
        while (!heap.isEmpty()) {
            int rank = (int) (heap.peek() >>> 32);
            int count = 0;
            while (!heap.isEmpty() && (int) (heap.peek() >>> 32) == rank) {
                int k = (int) heap.pop();
                int q = next[k];
                if (dead[k] || q < 0 || table.rank(tok[k], tok[q]) != rank) continue; // stale
                tok[k] = table.result(tok[k], tok[q]);
                dead[q] = true;
                next[k] = next[q];
                if (next[q] >= 0) prev[next[q]] = k;
                merged[count++] = k;
            }
            for (int m = 0; m < count; m++) {
                int k = merged[m];
                if (dead[k]) continue;
                if (prev[k] >= 0) push(heap, table, tok[prev[k]], tok[k], prev[k]);
                if (next[k] >= 0) push(heap, table, tok[k], tok[next[k]], k);
            }
        }
        int n = 0;
        for (int k = 0; k >= 0; k = next[k]) sym[n++] = tok[k];
        return n;
    }

    /**
     * HuggingFace's order ({@code tokenizers}' {@code Word::merge_all}, transformers.js'
     * {@code BPE.bpe}): merge the single lowest-rank pair, the leftmost on a tie, then look again —
     * so a pair a merge creates competes at once with the pairs already there. For merge lists in
     * which every merge's parts exist before it, this gives what {@link #merge} gives; in others
     * (and in converted SentencePiece lists) it can differ. Negative symbols (characters outside
     * the vocabulary) never merge.
     */
    static int mergeLowestFirst(MergeTable table, int[] sym, int len) {
        return len > LONG_PIECE ? mergeLowestFirstLong(table, sym, len) : mergeLowestFirstShort(table, sym, len);
    }

    static int mergeLowestFirstShort(MergeTable table, int[] sym, int len) {
        while (len >= 2) {
            int best = MergeTable.NONE, at = -1;
            for (int k = 0; k + 1 < len; k++) {
                int r = table.rank(sym[k], sym[k + 1]);
                if (r < best) {
                    best = r;
                    at = k;
                }
            }
            if (at < 0) break;
            sym[at] = table.result(sym[at], sym[at + 1]);
            System.arraycopy(sym, at + 2, sym, at + 1, len - at - 2);
            len--;
        }
        return len;
    }

    /** The same with a linked list and a heap of (rank, position of the left symbol): n·log n. */
    static int mergeLowestFirstLong(MergeTable table, int[] sym, int len) {
        int[] tok = Arrays.copyOf(sym, len);
        int[] next = new int[len];
        int[] prev = new int[len];
        boolean[] dead = new boolean[len];
        LongHeap heap = new LongHeap(len);
        for (int k = 0; k < len; k++) {
            next[k] = k + 1 < len ? k + 1 : -1;
            prev[k] = k - 1;
            if (k + 1 < len) push(heap, table, tok[k], tok[k + 1], k);
        }
        while (!heap.isEmpty()) {
            long top = heap.pop();
            int rank = (int) (top >>> 32), k = (int) top;
            int q = next[k];
            if (dead[k] || q < 0 || table.rank(tok[k], tok[q]) != rank) continue; // stale: a merge changed this pair
            tok[k] = table.result(tok[k], tok[q]);
            dead[q] = true;
            next[k] = next[q];
            if (next[q] >= 0) prev[next[q]] = k;
            if (prev[k] >= 0) push(heap, table, tok[prev[k]], tok[k], prev[k]);
            if (next[k] >= 0) push(heap, table, tok[k], tok[next[k]], k);
        }
        int n = 0;
        for (int k = 0; k >= 0; k = next[k]) sym[n++] = tok[k];
        return n;
    }

    private static void push(LongHeap heap, MergeTable table, int left, int right, int position) {
        int r = table.rank(left, right);
        if (r != MergeTable.NONE) heap.push(((long) r << 32) | position);
    }

    /** A binary min-heap of longs. */
    private static final class LongHeap {
        private long[] a;
        private int size;

        LongHeap(int capacity) {
            a = new long[Math.max(4, capacity)];
        }

        boolean isEmpty() {
            return size == 0;
        }

        long peek() {
            return a[0];
        }

        void push(long v) {
            if (size == a.length) a = Arrays.copyOf(a, size * 2);
            int i = size++;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (a[parent] <= v) break;
                a[i] = a[parent];
                i = parent;
            }
            a[i] = v;
        }

        long pop() {
            long top = a[0];
            long v = a[--size];
            int i = 0;
            while (true) {
                int child = 2 * i + 1;
                if (child >= size) break;
                if (child + 1 < size && a[child + 1] < a[child]) child++;
                if (a[child] >= v) break;
                a[i] = a[child];
                i = child;
            }
            a[i] = v;
            return top;
        }
    }
}
