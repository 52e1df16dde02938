package io.cpo4j.cli.eval;

import io.cpo4j.engine.Rng;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class PairedBootstrapTest {

    /** Per seed, n prompts of mean + N(0, 1) values. */
    private static List<double[]> gaussian(Rng rng, int seeds, int n, double mean) {
        List<double[]> out = new ArrayList<>();
        for (int s = 0; s < seeds; s++) {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) v[i] = mean + rng.nextGaussian();
            out.add(v);
        }
        return out;
    }

    private static List<double[]> plus(List<double[]> xs, double d) {
        List<double[]> out = new ArrayList<>();
        for (double[] x : xs) {
            double[] y = x.clone();
            for (int i = 0; i < y.length; i++) y[i] += d;
            out.add(y);
        }
        return out;
    }

    @Test
    void identicalArmsDifferByExactlyZero() {
        List<double[]> values = gaussian(new Rng(1), 3, 40, 2.5);
        PairedDifference d = PairedBootstrap.difference(PairedItems.plain(values, values), 7);
        assertThat(d.difference()).isZero();
        assertThat(d.low()).isZero();
        assertThat(d.high()).isZero();
        assertThat(d.excludesZero()).isFalse();
        assertThat(d.shareAboveZero()).isZero();
        assertThat(d.pValue()).isEqualTo(1.0);
        assertThat(d.resamples()).isEqualTo(2000);
        assertThat(d.arm()).isEqualTo(d.baseline());
    }

    @Test
    void aConstantShiftIsExactWhenPairedButNotMarginally() {
        List<double[]> baseline = gaussian(new Rng(2), 3, 50, 2.5);
        List<double[]> arm = plus(baseline, 0.25);
        PairedItems items = PairedItems.plain(arm, baseline);
        PairedDifference d = PairedBootstrap.difference(items, 11);
        assertThat(d.difference()).isCloseTo(0.25, within(1e-12));
        assertThat(d.low()).isCloseTo(0.25, within(1e-12));
        assertThat(d.high()).isCloseTo(0.25, within(1e-12));
        assertThat(d.excludesZero()).isTrue();
        assertThat(d.shareAboveZero()).isEqualTo(1.0);
        assertThat(d.pValue()).isZero();
        // each side alone spreads like a mean of 150 unit-variance values: 95% half-width ≈ 1.96 / √150 ≈ 0.16
        Interval a = PairedBootstrap.estimate(items.arm(), 11), b = PairedBootstrap.estimate(items.baseline(), 12);
        assertThat(a.halfWidth()).isGreaterThan(0.08);
        assertThat(b.halfWidth()).isGreaterThan(0.08);
        assertThat(a.estimate() - b.estimate()).isCloseTo(0.25, within(1e-12));
    }

    @Test
    void pairingNarrowsTheIntervalForCorrelatedData() {
        // a shared per-prompt difficulty (sd 1) plus independent noise (sd 0.3) on each side
        Rng rng = new Rng(3);
        List<double[]> difficulty = gaussian(rng, 1, 200, 0);
        List<double[]> arm = plus(difficulty, 0.1), baseline = plus(difficulty, 0);
        for (int i = 0; i < 200; i++) {
            arm.get(0)[i] += 0.3 * rng.nextGaussian();
            baseline.get(0)[i] += 0.3 * rng.nextGaussian();
        }
        PairedItems items = PairedItems.plain(arm, baseline);
        PairedDifference d = PairedBootstrap.difference(items, 5);
        Interval a = PairedBootstrap.estimate(items.arm(), 5), b = PairedBootstrap.estimate(items.baseline(), 6);
        double paired = (d.high() - d.low()) / 2;
        // paired: sd of a difference is 0.3·√2 ≈ 0.42, half-width ≈ 1.96 · 0.42 / √200 ≈ 0.059;
        // marginal: sd ≈ 1.04, half-width ≈ 0.145, and an unpaired difference would be √2 wider still
        assertThat(paired).isCloseTo(0.059, within(0.012));
        assertThat(a.halfWidth()).isCloseTo(0.145, within(0.025));
        assertThat(b.halfWidth()).isCloseTo(0.145, within(0.025));
        assertThat(paired).isLessThan(a.halfWidth() / 2).isLessThan(b.halfWidth() / 2);
    }

    @Test
    void the95PercentIntervalCoversTheTrueDifferenceAbout95PercentOfTheTime() {
        Rng rng = new Rng(2026);
        double truth = 0.2;
        int covered = 0, datasets = 200;
        for (int k = 0; k < datasets; k++) {
            double[] arm = new double[100], baseline = new double[100];
            for (int i = 0; i < 100; i++) {
                double difficulty = rng.nextGaussian();
                baseline[i] = 3 + difficulty + 0.5 * rng.nextGaussian();
                arm[i] = 3 + truth + difficulty + 0.5 * rng.nextGaussian();
            }
            PairedDifference d = PairedBootstrap.difference(PairedItems.plain(List.of(arm), List.of(baseline)), 1000, 0.95, k, Clustering.SEEDS_THEN_PROMPTS);
            if (d.low() <= truth && truth <= d.high()) covered++;
        }
        assertThat(covered / (double) datasets).isBetween(0.90, 0.99);
    }

    @Test
    void onlyTheClusteredIntervalCoversWhenTheGainVariesBySeed() {
        // 10 training seeds × 25 prompts; each seed's gain is 0.2 + N(0, 0.2²), so the population
        // difference is 0.2 but one experiment's seeds are a sample of it. Resampling prompts
        // alone ignores that spread and covers the truth far less often than 95%.
        Rng rng = new Rng(77);
        double truth = 0.2;
        int clustered = 0, promptsOnly = 0, datasets = 200;
        for (int k = 0; k < datasets; k++) {
            List<double[]> arm = new ArrayList<>(), baseline = new ArrayList<>();
            for (int s = 0; s < 10; s++) {
                double gain = truth + 0.2 * rng.nextGaussian();
                double[] a = new double[25], b = new double[25];
                for (int i = 0; i < 25; i++) {
                    double difficulty = rng.nextGaussian();
                    b[i] = 3 + difficulty + 0.5 * rng.nextGaussian();
                    a[i] = 3 + gain + difficulty + 0.5 * rng.nextGaussian();
                }
                arm.add(a);
                baseline.add(b);
            }
            PairedItems items = PairedItems.plain(arm, baseline);
            PairedDifference c = PairedBootstrap.difference(items, 1000, 0.95, k, Clustering.SEEDS_THEN_PROMPTS);
            PairedDifference p = PairedBootstrap.difference(items, 1000, 0.95, k, Clustering.PROMPTS_WITHIN_SEEDS);
            if (c.low() <= truth && truth <= c.high()) clustered++;
            if (p.low() <= truth && truth <= p.high()) promptsOnly++;
        }
        assertThat(clustered / (double) datasets).isBetween(0.90, 0.99);
        assertThat(promptsOnly / (double) datasets).isLessThan(0.85);
    }

    @Test
    void clusteringBySeedWidensTheIntervalWhenSeedsDiffer() {
        // the arm's gain depends on the training seed: +0.0, +0.3, +0.6 on seeds 0, 1, 2
        Rng rng = new Rng(4);
        List<double[]> baseline = gaussian(rng, 3, 100, 2);
        List<double[]> arm = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            double[] a = new double[100];
            for (int i = 0; i < 100; i++) a[i] = baseline.get(s)[i] + 0.3 * s + 0.2 * rng.nextGaussian();
            arm.add(a);
        }
        PairedItems items = PairedItems.plain(arm, baseline);
        PairedDifference clustered = PairedBootstrap.difference(items, 2000, 0.95, 9, Clustering.SEEDS_THEN_PROMPTS);
        PairedDifference prompts = PairedBootstrap.difference(items, 2000, 0.95, 9, Clustering.PROMPTS_WITHIN_SEEDS);
        assertThat(clustered.difference()).isEqualTo(prompts.difference()).isCloseTo(0.3, within(0.05));
        // prompts only: sd 0.2 over 300 items, half-width ≈ 0.023; seeds: the seed means spread ±0.3
        assertThat(prompts.high() - prompts.low()).isCloseTo(2 * 1.96 * 0.2 / Math.sqrt(300), within(0.01));
        assertThat(clustered.high() - clustered.low()).isGreaterThan(10 * (prompts.high() - prompts.low()));
        assertThat(clustered.low()).isLessThan(0.1);
        assertThat(clustered.high()).isGreaterThan(0.5);
    }

    @Test
    void withOneSeedBothClusteringsResamplePromptsAlike() {
        List<double[]> baseline = gaussian(new Rng(5), 1, 60, 0), arm = gaussian(new Rng(6), 1, 60, 0.1);
        PairedItems items = PairedItems.plain(arm, baseline);
        assertThat(PairedBootstrap.difference(items, 500, 0.95, 3, Clustering.SEEDS_THEN_PROMPTS))
                .isEqualTo(PairedBootstrap.difference(items, 500, 0.95, 3, Clustering.PROMPTS_WITHIN_SEEDS));
    }

    @Test
    void sameSeedSameResultOtherSeedOtherResample() {
        PairedItems items = PairedItems.plain(gaussian(new Rng(7), 2, 30, 0.2), gaussian(new Rng(8), 2, 30, 0));
        PairedDifference a = PairedBootstrap.difference(items, 1), b = PairedBootstrap.difference(items, 1), c = PairedBootstrap.difference(items, 2);
        assertThat(a).isEqualTo(b);
        assertThat(c.low()).isNotEqualTo(a.low());
        assertThat(c.difference()).isEqualTo(a.difference());
    }

    @Test
    void shareAboveZeroAndPValueOnATwoItemCase() {
        // differences 0 and 1: a resample holds {0,0} (¼), {1,1} (¼) or one of each (½), so the
        // difference is 0, 1 or 0.5; share > 0 ≈ ¾, p = 2 · P(≤ 0) ≈ ½, interval [0, 1]
        PairedItems items = PairedItems.plain(List.of(new double[] {5, 8}), List.of(new double[] {5, 7}));
        PairedDifference d = PairedBootstrap.difference(items, 4000, 0.95, 13, Clustering.SEEDS_THEN_PROMPTS);
        assertThat(d.difference()).isEqualTo(0.5);
        assertThat(d.arm()).isEqualTo(6.5);
        assertThat(d.baseline()).isEqualTo(6.0);
        assertThat(d.low()).isZero();
        assertThat(d.high()).isEqualTo(1.0);
        assertThat(d.shareAboveZero()).isCloseTo(0.75, within(0.025));
        assertThat(d.pValue()).isCloseTo(0.5, within(0.05));
        assertThat(d.interval()).isEqualTo(new Interval(0.5, 0.0, 1.0, "paired-bootstrap"));
    }

    @Test
    void ratioMetricsAreTotalOverTotal() {
        // seed 0: arm 6/3, 1/1; baseline 2/1, 2/3. seed 1: arm 4/4; baseline 1/2.
        // arm = 11/8 = 1.375 (the mean of its ratios would be 4/3); baseline = 5/6
        PairedItems items = PairedItems.ratio(
                List.of(new double[] {6, 1}, new double[] {4}), List.of(new double[] {3, 1}, new double[] {4}),
                List.of(new double[] {2, 2}, new double[] {1}), List.of(new double[] {1, 3}, new double[] {2}));
        assertThat(items.arm().estimate()).isEqualTo(1.375);
        assertThat(items.baseline().estimate()).isCloseTo(5.0 / 6, within(1e-15));
        assertThat(items.arm().value(0, 0)).isEqualTo(2.0);
        assertThat(items.items()).isEqualTo(3);
        PairedDifference d = PairedBootstrap.difference(items, 3);
        assertThat(d.difference()).isCloseTo(1.375 - 5.0 / 6, within(1e-15));
        assertThat(d.low()).isLessThanOrEqualTo(d.difference());
        assertThat(d.high()).isGreaterThanOrEqualTo(d.difference());
        // every resample's ratio of totals lies between the smallest and largest item ratio
        Interval arm = PairedBootstrap.estimate(items.arm(), 3);
        assertThat(arm.low()).isGreaterThanOrEqualTo(1.0);
        assertThat(arm.high()).isLessThanOrEqualTo(2.0);
    }

    @Test
    void samplesMapToItemsThroughNumeratorAndDenominator() {
        // length ratio: Σ candidate words / Σ truth words
        List<ContinuationSample> arm = List.of(
                new ContinuationSample(List.of("p"), List.of("a", "b"), List.of("a", "b", "c"), true),
                new ContinuationSample(List.of("q"), List.of("c", "d", "e", "f"), List.of("c"), true));
        List<ContinuationSample> baseline = List.of(
                new ContinuationSample(List.of("p"), List.of("a", "b"), List.of("a", "b"), true),
                new ContinuationSample(List.of("q"), List.of("c", "d", "e", "f"), List.of("c", "d"), false));
        PairedItems.requireSamePrompts(List.of(arm), List.of(baseline), ContinuationSample::prompt);
        PairedItems items = PairedItems.of(List.of(arm), List.of(baseline), s -> s.candidate().size(), s -> s.truth().size());
        assertThat(items.arm().estimate()).isEqualTo(4.0 / 6);
        assertThat(items.baseline().estimate()).isEqualTo(4.0 / 6);
        PairedItems ended = PairedItems.of(List.of(arm), List.of(baseline), s -> s.candidateEnded() ? 1 : 0);
        assertThat(ended.arm().estimate()).isEqualTo(1.0);
        assertThat(ended.baseline().estimate()).isEqualTo(0.5);
    }
}
