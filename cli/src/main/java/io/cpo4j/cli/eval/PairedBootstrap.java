package io.cpo4j.cli.eval;

import io.cpo4j.engine.Rng;

import java.util.Arrays;

/**
 * Paired comparison of an arm against the baseline on the same items: the difference of their
 * estimates (Σ num / Σ den each) with a percentile interval from a cluster bootstrap over
 * training seeds and prompts (see {@link Clustering}). Each resample draws items once and
 * evaluates both the arm and the baseline on those same items, so the item-to-item spread they
 * share (hard prompts, lucky sampling seeds) cancels in the difference. Deterministic given the
 * seed.
 */
public final class PairedBootstrap {

    /** Default number of resamples. */
    public static final int RESAMPLES = Bootstrap.RESAMPLES;

    private PairedBootstrap() {}

    /** 95% interval, {@link #RESAMPLES} resamples, seeds then prompts. */
    public static PairedDifference difference(PairedItems items, long seed) {
        return difference(items, RESAMPLES, 0.95, seed, Clustering.SEEDS_THEN_PROMPTS);
    }

    public static PairedDifference difference(PairedItems items, int resamples, double level, long seed, Clustering clustering) {
        check(resamples, level);
        ItemValues arm = items.arm(), baseline = items.baseline();
        int[] shape = arm.promptsPerSeed();
        int[][] counts = ClusterResample.counts(shape);
        Rng rng = new Rng(seed);
        double[] diffs = new double[resamples];
        int above = 0, below = 0;
        for (int r = 0; r < resamples; r++) {
            ClusterResample.draw(shape, clustering, rng, counts);
            double d = arm.estimate(counts) - baseline.estimate(counts);
            diffs[r] = d;
            if (d > 0) above++;
            else if (d < 0) below++;
        }
        Arrays.sort(diffs);
        double alpha = (1 - level) / 2;
        double a = arm.estimate(), b = baseline.estimate();
        double atMostZero = (double) (resamples - above) / resamples, atLeastZero = (double) (resamples - below) / resamples;
        double p = Math.min(1, 2 * Math.min(atMostZero, atLeastZero));
        return new PairedDifference(a, b, a - b, Bootstrap.quantile(diffs, alpha), Bootstrap.quantile(diffs, 1 - alpha), level,
                (double) above / resamples, p, resamples);
    }

    /** One side alone: its estimate with a 95% interval, {@link #RESAMPLES} resamples, seeds then prompts. */
    public static Interval estimate(ItemValues values, long seed) {
        return estimate(values, RESAMPLES, 0.95, seed, Clustering.SEEDS_THEN_PROMPTS);
    }

    /** One side alone: its estimate with a percentile interval, method "cluster-bootstrap". */
    public static Interval estimate(ItemValues values, int resamples, double level, long seed, Clustering clustering) {
        check(resamples, level);
        int[] shape = values.promptsPerSeed();
        int[][] counts = ClusterResample.counts(shape);
        Rng rng = new Rng(seed);
        double[] stats = new double[resamples];
        for (int r = 0; r < resamples; r++) {
            ClusterResample.draw(shape, clustering, rng, counts);
            stats[r] = values.estimate(counts);
        }
        Arrays.sort(stats);
        double alpha = (1 - level) / 2;
        return new Interval(values.estimate(), Bootstrap.quantile(stats, alpha), Bootstrap.quantile(stats, 1 - alpha), "cluster-bootstrap");
    }

    private static void check(int resamples, double level) {
        if (resamples < 1) throw new IllegalArgumentException("paired bootstrap: resamples " + resamples + " (must be ≥ 1)");
        if (!(level > 0 && level < 1)) throw new IllegalArgumentException("paired bootstrap: level " + level + " (must be in (0, 1))");
    }
}
