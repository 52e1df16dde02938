package io.cpo4j.cpo.score;

import java.util.Arrays;

/**
 * B examples, each a prefix with K candidate continuations; candidate 0 is the ground truth,
 * 1..K−1 the negatives (in rank order when a ranked loss uses them). Tokens only; the
 * continuation includes the end-of-text token when the text ended.
 */
public record CandidateSet(int[][] prefixes, int[][][] continuations) {

    public CandidateSet {
        if (prefixes.length == 0 || prefixes.length != continuations.length) {
            throw new IllegalArgumentException("candidate set: " + prefixes.length + " prefixes and " + continuations.length + " candidate lists");
        }
        int k = continuations[0].length;
        if (k < 1) throw new IllegalArgumentException("candidate set: no candidates");
        for (int b = 0; b < prefixes.length; b++) {
            if (prefixes[b].length == 0) throw new IllegalArgumentException("candidate set: prefix " + b + " is empty");
            if (continuations[b].length != k) {
                throw new IllegalArgumentException("candidate set: example " + b + " has " + continuations[b].length + " candidates, example 0 has " + k);
            }
            for (int j = 0; j < k; j++) {
                if (continuations[b][j].length == 0) throw new IllegalArgumentException("candidate set: candidate " + j + " of example " + b + " is empty");
            }
        }
    }

    public int examples() {
        return prefixes.length;
    }

    /** Candidates per example (K). */
    public int candidates() {
        return continuations[0].length;
    }

    public int[] prefix(int b) {
        return prefixes[b];
    }

    public int[] continuation(int b, int k) {
        return continuations[b][k];
    }

    /** Length of the longest prefix + continuation. */
    public int maxLength() {
        int max = 0;
        for (int b = 0; b < examples(); b++) {
            for (int[] c : continuations[b]) max = Math.max(max, prefixes[b].length + c.length);
        }
        return max;
    }

    /** The same prefixes with candidates reordered per example by {@code order[b]} (a permutation of 0..K−1). */
    public CandidateSet reorder(int[][] order) {
        int[][][] c = new int[examples()][][];
        for (int b = 0; b < examples(); b++) {
            c[b] = new int[candidates()][];
            for (int k = 0; k < candidates(); k++) c[b][k] = continuations[b][order[b][k]];
        }
        return new CandidateSet(prefixes, c);
    }

    @Override
    public String toString() {
        return "CandidateSet[B=" + examples() + ", K=" + candidates() + ", first prefix " + Arrays.toString(Arrays.copyOf(prefixes[0], Math.min(8, prefixes[0].length))) + "…]";
    }
}
