package io.cpo4j.cpo.loss;

import io.cpo4j.engine.Rng;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

/** The identities the method's math promises, and every loss's gradient against finite differences. */
class SequenceLossTest {

    static double[] random(long seed, int n, double scale) {
        Rng rng = new Rng(seed);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = rng.nextGaussian() * scale - 20;
        return x;
    }

    static int[][] tokens(int b, int k) {
        int[][] t = new int[b][k];
        for (int e = 0; e < b; e++) for (int j = 0; j < k; j++) t[e][j] = 3 + e + 2 * j;
        return t;
    }

    @Test
    void withTwoCandidatesPlainCpoIsDpo() {
        double[] pol = random(1, 6, 5), ref = random(2, 6, 5);
        double plain = new PlainCpoLoss(0.1).evaluate(pol, ref, tokens(3, 2), 3, 2).loss();
        double dpo = new DpoLoss(0.1).evaluate(pol, ref, tokens(3, 2), 3, 2).loss();
        assertThat(plain).isCloseTo(dpo, offset(1e-12));
    }

    @Test
    void whenThePolicyIsTheReferenceTheLossesAreLogKAndLogKFactorial() {
        for (int k = 2; k <= 6; k++) {
            double[] same = random(k, 4 * k, 3);
            double logFactorial = 0;
            for (int i = 2; i <= k; i++) logFactorial += Math.log(i);
            assertThat(new PlainCpoLoss(0.5).evaluate(same, same, tokens(4, k), 4, k).loss()).isCloseTo(Math.log(k), offset(1e-12));
            assertThat(new RankedCpoLoss(0.5).evaluate(same, same, tokens(4, k), 4, k).loss()).isCloseTo(logFactorial, offset(1e-12));
        }
    }

    @Test
    void rankedIsNeverBelowPlainAndAConstantShiftChangesNothing() {
        for (long seed = 0; seed < 50; seed++) {
            int k = 2 + (int) (seed % 5);
            double[] pol = random(seed, 3 * k, 10), ref = random(seed + 100, 3 * k, 10);
            double plain = new PlainCpoLoss(0.2).evaluate(pol, ref, tokens(3, k), 3, k).loss();
            double ranked = new RankedCpoLoss(0.2).evaluate(pol, ref, tokens(3, k), 3, k).loss();
            assertThat(ranked).isGreaterThanOrEqualTo(plain - 1e-12);
            double[] shifted = pol.clone();
            for (int e = 0; e < 3; e++) for (int j = 0; j < k; j++) shifted[e * k + j] += 7.5 * (e + 1);    // same constant within an example
            for (SequenceLoss l : List.of(new PlainCpoLoss(0.2), new RankedCpoLoss(0.2), new DpoLoss(0.2))) {
                assertThat(l.evaluate(shifted, ref, tokens(3, k), 3, k).loss()).as(l.name()).isCloseTo(l.evaluate(pol, ref, tokens(3, k), 3, k).loss(), offset(1e-9));
            }
        }
    }

    @Test
    void everyGradientMatchesFiniteDifferences() {
        int b = 3, k = 4;
        double[] pol = random(7, b * k, 4), ref = random(8, b * k, 4);
        for (SequenceLoss l : List.of(new PlainCpoLoss(0.1), new RankedCpoLoss(0.3), new DpoLoss(0.2), new XuCpoLoss(0.1, 1.0),
                new SimpoLoss(2.0, 1.0), new WithNll(new PlainCpoLoss(0.1), 0.5))) {
            double[] g = l.evaluate(pol, ref, tokens(b, k), b, k).gradPolicy();
            for (int i = 0; i < pol.length; i++) {
                double keep = pol[i], h = 1e-6;
                pol[i] = keep + h;
                double plus = l.evaluate(pol, ref, tokens(b, k), b, k).loss();
                pol[i] = keep - h;
                double minus = l.evaluate(pol, ref, tokens(b, k), b, k).loss();
                pol[i] = keep;
                assertThat(g[i]).as("%s d/dπ[%d]", l.name(), i).isCloseTo((plus - minus) / (2 * h), offset(1e-7));
            }
        }
    }

    @Test
    void extremeRewardsStayFinite() {
        double[] pol = {0, -5000, -1e4, 300}, ref = {-3000, 0, 0, -300};
        for (SequenceLoss l : List.of(new PlainCpoLoss(1), new RankedCpoLoss(1), new DpoLoss(1), new XuCpoLoss(1, 1), new SimpoLoss(2, 1))) {
            SequenceLoss.Value v = l.evaluate(pol, ref, tokens(1, 4), 1, 4);
            assertThat(v.loss()).as(l.name()).isFinite();
            for (double x : v.gradPolicy()) assertThat(x).isFinite();
        }
    }
}
