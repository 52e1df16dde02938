package io.cpo4j.cli.eval;

import io.cpo4j.engine.Rng;

import java.util.Arrays;

/**
 * The draws of a bootstrap over items (training seed s, prompt i), as a count per item: how many
 * times each item is in the resample. A statistic of the resample is then a weighted total
 * (see {@link ItemValues#estimate(int[][])}), and several statistics of the same draw (the arm and
 * the baseline) see exactly the same items.
 */
final class ClusterResample {

    private ClusterResample() {}

    /**
     * Fills {@code counts} (S)(n_s) with one resample. With one seed both clusterings draw the
     * same prompts from the same generator state (no draw is spent on the seed).
     */
    static void draw(int[] promptsPerSeed, Clustering clustering, Rng rng, int[][] counts) {
        int seeds = promptsPerSeed.length;
        for (int[] c : counts) Arrays.fill(c, 0);
        for (int k = 0; k < seeds; k++) {
            int s = clustering == Clustering.SEEDS_THEN_PROMPTS && seeds > 1 ? rng.nextInt(seeds) : k;
            int n = promptsPerSeed[s];
            int[] c = counts[s];
            for (int j = 0; j < n; j++) c[rng.nextInt(n)]++;
        }
    }

    /** An all-zero count array of the items' shape, (S)(n_s). */
    static int[][] counts(int[] promptsPerSeed) {
        int[][] c = new int[promptsPerSeed.length][];
        for (int s = 0; s < c.length; s++) c[s] = new int[promptsPerSeed[s]];
        return c;
    }
}
