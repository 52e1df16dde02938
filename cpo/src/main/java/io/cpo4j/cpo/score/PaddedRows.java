package io.cpo4j.cpo.score;

import io.cpo4j.engine.ops.F;

import java.util.Arrays;

/**
 * prefix + continuation sequences laid out as right-padded (rows, T) inputs with next-token
 * targets on the continuation only ({@link F#IGNORE_INDEX} on prefix and padding), T = longest row − 1.
 * Row r at position p predicts token p+1 of its sequence.
 */
public record PaddedRows(int[] inputs, int[] targets, int rows, int time) {

    /** Rows in order: prefixes[i] followed by continuations[i]. */
    public static PaddedRows of(int[][] prefixes, int[][] continuations) {
        int rows = prefixes.length, t = 0;
        for (int r = 0; r < rows; r++) t = Math.max(t, prefixes[r].length + continuations[r].length - 1);
        int[] inputs = new int[rows * t], targets = new int[rows * t];
        Arrays.fill(targets, F.IGNORE_INDEX);
        for (int r = 0; r < rows; r++) {
            int[] prefix = prefixes[r], cont = continuations[r];
            int len = prefix.length + cont.length, row = r * t;
            for (int p = 0; p < len - 1; p++) inputs[row + p] = p < prefix.length ? prefix[p] : cont[p - prefix.length];
            for (int p = prefix.length - 1; p < len - 1; p++) targets[row + p] = cont[p + 1 - prefix.length];
        }
        return new PaddedRows(inputs, targets, rows, t);
    }
}
