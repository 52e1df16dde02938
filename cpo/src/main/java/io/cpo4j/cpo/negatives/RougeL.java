package io.cpo4j.cpo.negatives;

/**
 * ROUGE-L F1 between two token sequences: from their longest common subsequence,
 * precision = LCS/|candidate|, recall = LCS/|reference|, F1 their harmonic mean.
 */
public final class RougeL {

    private RougeL() {}

    public static double f1(int[] candidate, int[] reference) {
        if (candidate.length == 0 || reference.length == 0) return 0;
        int lcs = lcs(candidate, reference);
        if (lcs == 0) return 0;
        double p = (double) lcs / candidate.length, r = (double) lcs / reference.length;
        return 2 * p * r / (p + r);
    }

    static int lcs(int[] a, int[] b) {
        int[] prev = new int[b.length + 1], cur = new int[b.length + 1];
        for (int i = 1; i <= a.length; i++) {
            for (int j = 1; j <= b.length; j++) {
                cur[j] = a[i - 1] == b[j - 1] ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length];
    }
}
