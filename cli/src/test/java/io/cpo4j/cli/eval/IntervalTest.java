package io.cpo4j.cli.eval;

import io.cpo4j.engine.Rng;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class IntervalTest {

    @Test
    void wilsonMatchesHandComputedValues() {
        // 8 of 10: centre (0.8 + z²/20) / (1 + z²/10) = 0.71676, half-width 0.22658
        Interval i = Interval.wilson95(8, 10);
        assertThat(i.estimate()).isEqualTo(0.8);
        assertThat(i.low()).isCloseTo(0.49016, within(1e-4));
        assertThat(i.high()).isCloseTo(0.94333, within(1e-4));
        assertThat(i.method()).isEqualTo("wilson");
        // 0 of 10: [0, z²/(n + z²)] = [0, 0.27753]
        Interval zero = Interval.wilson95(0, 10);
        assertThat(zero.low()).isZero();
        assertThat(zero.high()).isCloseTo(3.841459 / 13.841459, within(1e-6));
        // symmetric around one half
        Interval half = Interval.wilson95(50, 100);
        assertThat(half.low() + half.high()).isCloseTo(1.0, within(1e-12));
        assertThat(half.high() - half.low()).isCloseTo(2 * 1.959964 * 0.5 / Math.sqrt(100 + 3.841459), within(1e-6));
        assertThat(Interval.wilson95(0, 0).estimate()).isNaN();
    }

    @Test
    void bootstrapIsSeededAndCoversTheSpreadOfTheMean() {
        Rng rng = new Rng(1);
        double[] xs = new double[400];
        for (int i = 0; i < xs.length; i++) xs[i] = 3 + rng.nextGaussian();
        Interval a = Bootstrap.mean95(xs, 7), b = Bootstrap.mean95(xs, 7), c = Bootstrap.mean95(xs, 8);
        assertThat(a).isEqualTo(b);
        assertThat(c).isNotEqualTo(a);
        double mean = 0;
        for (double x : xs) mean += x;
        mean /= xs.length;
        assertThat(a.estimate()).isCloseTo(mean, within(1e-12));
        assertThat(a.low()).isLessThan(mean);
        assertThat(a.high()).isGreaterThan(mean);
        // 95% half-width of a mean of 400 unit-variance values: 1.96 / 20 = 0.098
        assertThat(a.halfWidth()).isCloseTo(0.098, within(0.015));
    }

    @Test
    void bootstrapRatioIsTotalOverTotal() {
        Interval r = Bootstrap.ratio95(new double[] {10, 20, 30}, new double[] {5, 5, 10}, 1);
        assertThat(r.estimate()).isEqualTo(3.0);
        assertThat(r.low()).isGreaterThanOrEqualTo(2.0);
        assertThat(r.high()).isLessThanOrEqualTo(4.0);
        Interval constant = Bootstrap.ratio95(new double[] {2, 4}, new double[] {1, 2}, 1);
        assertThat(constant.low()).isEqualTo(2.0);
        assertThat(constant.high()).isEqualTo(2.0);
        assertThat(Bootstrap.quantile(new double[] {1, 2, 3, 4}, 0.5)).isEqualTo(2.5);
        assertThat(Bootstrap.quantile(new double[] {1, 2, 3, 4}, 0.25)).isEqualTo(1.75);
    }

    @Test
    void perplexityIsExpOfTheMeanNll() {
        assertThat(Perplexity.of(Math.log(7))).isCloseTo(7.0, within(1e-12));
        assertThat(Perplexity.of(3 * Math.log(2), 3)).isCloseTo(2.0, within(1e-12));
        Interval ppl = Perplexity.of(new Interval(0, -1, 1, "bootstrap"));
        assertThat(ppl.estimate()).isEqualTo(1.0);
        assertThat(ppl.low()).isCloseTo(1 / Math.E, within(1e-12));
        assertThat(ppl.high()).isCloseTo(Math.E, within(1e-12));
    }

    @Test
    void formatsForTables() {
        assertThat(new Interval(0.5, 0.25, 0.75, "wilson").format(2)).isEqualTo("0.50 [0.25, 0.75]");
        assertThat(Interval.point(2.0).format(1)).isEqualTo("2.0");
        assertThat(Interval.wilson95(0, 0).format(3)).isEqualTo("—");
        assertThat(Interval.wilson95(0, 0).toJson()).containsEntry("estimate", null).containsEntry("high", 1.0);
    }
}
