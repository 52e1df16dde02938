package io.cpo4j.cpo.score;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Groups rows of different lengths into a few forward passes, each padded only to its own
 * longest row. A further pass is worth it when it saves more than {@link #SAVING} of the real
 * positions (a pass has fixed costs); at most {@link #MAX} passes. The split is the optimum of
 * that trade-off over contiguous runs of the rows sorted longest first (a small dynamic program).
 */
public final class LengthBuckets {

    /** A further bucket must save at least this fraction of the real positions. */
    public static final double SAVING = 0.02;
    public static final int MAX = 4;

    private LengthBuckets() {}

    /** Row indices per bucket, longest rows first; ties keep index order. */
    public static List<int[]> of(int[] lengths) {
        Integer[] order = new Integer[lengths.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, Comparator.comparingInt((Integer i) -> -lengths[i]).thenComparingInt(i -> i));
        int[] sorted = new int[order.length];
        for (int i = 0; i < sorted.length; i++) sorted[i] = lengths[order[i]];
        List<int[]> out = new ArrayList<>();
        int from = 0;
        for (int to : ends(sorted)) {
            int[] rows = new int[to - from];
            for (int i = from; i < to; i++) rows[i - from] = order[i];
            out.add(rows);
            from = to;
        }
        return out;
    }

    /**
     * Ends of the buckets over lengths sorted longest first: the split that minimises padded
     * positions plus a charge of {@link #SAVING} × real positions per bucket.
     */
    static int[] ends(int[] sortedLengths) {
        int n = sortedLengths.length;
        if (n == 0) return new int[0];
        long real = 0;
        for (int t : sortedLengths) real += t;
        double charge = SAVING * real;
        int parts = Math.min(MAX, n);
        double[][] best = new double[parts + 1][n + 1];
        int[][] cut = new int[parts + 1][n + 1];
        for (double[] row : best) Arrays.fill(row, Double.POSITIVE_INFINITY);
        best[0][0] = 0;
        for (int p = 1; p <= parts; p++) {
            for (int to = 1; to <= n; to++) {
                for (int from = p - 1; from < to; from++) {
                    double c = best[p - 1][from] + (double) (to - from) * sortedLengths[from] + charge;
                    if (c < best[p][to]) {
                        best[p][to] = c;
                        cut[p][to] = from;
                    }
                }
            }
        }
        int p = 1;
        for (int q = 2; q <= parts; q++) if (best[q][n] < best[p][n]) p = q;
        int[] ends = new int[p];
        for (int to = n, q = p; q > 0; to = cut[q][to], q--) ends[q - 1] = to;
        return ends;
    }
}
