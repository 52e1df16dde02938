package io.cpo4j.cpo.negatives;

import io.cpo4j.cpo.score.CandidateSet;
import io.cpo4j.engine.Rng;
import io.cpo4j.model.gen.Sampling;
import io.cpo4j.model.gpt.Gpt;
import io.cpo4j.model.gpt.GptConfig;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class NegativesTest {

    static final int EOS = 0;
    static final GptConfig CONFIG = new GptConfig(40, 32, 1, 2, 16, 0f, 1e-5f);
    static final int[][] PREFIXES = {{5, 6, 7}, {8}, {9, 10}};
    static final int[][] TRUTHS = {{11, 12, 13, 14, 15, 16, 17, 18, 19, 20, EOS}, {21, 22, 23, EOS}, {24, 25, 26, 27, 28, EOS}};

    static NegativeContext context(long seed) {
        Gpt gpt = Gpt.create(CONFIG, 3);
        return new NegativeContext(gpt, gpt, EOS, new Rng(seed));
    }

    @Test
    void truncationCutsTheTruthAndEndsWithEndOfText() {
        List<List<int[]>> negs = new TruncationNegatives().generate(PREFIXES, TRUTHS, 5, context(1));
        for (int b = 0; b < TRUTHS.length; b++) {
            assertThat(negs.get(b)).hasSize(5);
            for (int[] n : negs.get(b)) {
                assertThat(n).isNotEqualTo(TRUTHS[b]);
                assertThat(n[n.length - 1]).isEqualTo(EOS);
                assertThat(n.length).isLessThan(TRUTHS[b].length).as("keeps at least one of the truth's tokens").isGreaterThanOrEqualTo(2);
                assertThat(Arrays.copyOf(n, n.length - 1)).containsExactly(Arrays.copyOf(TRUTHS[b], n.length - 1));
            }
        }
    }

    @Test
    void truncationKeepsOneToAllButOneOfTheTruthsTokens() {
        java.util.Set<Integer> kept = new java.util.TreeSet<>();
        for (int[] n : new TruncationNegatives().generate(new int[][] {PREFIXES[1]}, new int[][] {TRUTHS[1]}, 40, context(3)).get(0)) kept.add(n.length - 1);
        assertThat(kept).as("cuts of {21, 22, 23}").containsExactly(1, 2);
        List<int[]> single = new TruncationNegatives().generate(new int[][] {PREFIXES[0]}, new int[][] {{31, EOS}}, 2, context(3)).get(0);
        assertThat(single).as("a one-token truth can only end at once").allSatisfy(n -> assertThat(n).containsExactly(EOS));
    }

    @Test
    void batchNegativesAreOtherRowsTruths() {
        int[][] truths = {TRUTHS[0], TRUTHS[1], TRUTHS[2], TRUTHS[1]};
        int[][] prefixes = {PREFIXES[0], PREFIXES[1], PREFIXES[2], PREFIXES[0]};
        List<List<int[]>> negs = new BatchNegatives().generate(prefixes, truths, 2, context(2));
        for (int b = 0; b < truths.length; b++) {
            assertThat(negs.get(b)).hasSizeBetween(1, 2);
            for (int[] n : negs.get(b)) {
                assertThat(n).isNotEqualTo(truths[b]);
                assertThat(Arrays.stream(truths).anyMatch(t -> Arrays.equals(t, n))).isTrue();
            }
        }
        assertThat(new BatchNegatives().generate(new int[][] {{1}}, new int[][] {{2}}, 3, context(2)).get(0)).isEmpty();
    }

    @Test
    void meanFieldReplacesAFractionWithTheModelsOtherBestGuess() {
        NegativeContext ctx = context(3);
        int[][] alternatives = MeanFieldNegatives.alternatives(ctx.policy(), PREFIXES, TRUTHS);
        List<List<int[]>> negs = new MeanFieldNegatives(0.3).generate(PREFIXES, TRUTHS, 4, ctx);
        for (int b = 0; b < TRUTHS.length; b++) {
            int expectedChanges = Math.max(1, (int) Math.round(0.3 * TRUTHS[b].length));
            for (int[] n : negs.get(b)) {
                int changed = 0;
                for (int i = 0; i < n.length; i++) {
                    if (n[i] != TRUTHS[b][i]) {
                        changed++;
                        assertThat(n[i]).isEqualTo(alternatives[b][i]);
                    }
                }
                assertThat(changed).isEqualTo(expectedChanges);
            }
        }
        // The alternative is the argmax over tokens other than the truth, from a teacher-forced pass:
        for (int b = 0; b < TRUTHS.length; b++) for (int i = 0; i < TRUTHS[b].length; i++) assertThat(alternatives[b][i]).isNotEqualTo(TRUTHS[b][i]);
    }

    @Test
    void autoregressiveSamplesAreNeverTheTruthAndAreReproducible() {
        AutoregressiveNegatives gen = new AutoregressiveNegatives(Sampling.temperature(1f), false, 1.5);
        List<List<int[]>> a = gen.generate(PREFIXES, TRUTHS, 3, context(4));
        List<List<int[]>> again = gen.generate(PREFIXES, TRUTHS, 3, context(4));
        for (int b = 0; b < TRUTHS.length; b++) {
            assertThat(a.get(b)).hasSize(3);
            for (int j = 0; j < 3; j++) {
                int[] n = a.get(b).get(j);
                assertThat(n).isNotEqualTo(TRUTHS[b]);
                assertThat(n.length).isLessThanOrEqualTo((int) Math.ceil(TRUTHS[b].length * 1.5));
                assertThat(again.get(b).get(j)).containsExactly(n);
            }
        }
    }

    @Test
    void aBatchWithALongPrefixStaysWithinTheContext() {
        int[][] prefixes = {new int[25], {8}};
        int[][] truths = {{11, 12, EOS}, new int[20]};
        java.util.Arrays.fill(prefixes[0], 5);
        java.util.Arrays.fill(truths[1], 7);
        List<List<int[]>> negs = new AutoregressiveNegatives().generate(prefixes, truths, 2, context(6));
        for (int b = 0; b < 2; b++) {
            assertThat(negs.get(b)).isNotEmpty();
            for (int[] n : negs.get(b)) assertThat(prefixes[b].length + n.length).isLessThanOrEqualTo(CONFIG.contextLength());
        }
    }

    @Test
    void batchNegativesAreDistinctRowsForEveryOffset() {
        int n = 6;
        int[][] prefixes = new int[n][], truths = new int[n][];
        for (int b = 0; b < n; b++) {
            prefixes[b] = new int[] {1 + b};
            truths[b] = new int[] {10 + b, EOS};
        }
        for (long seed = 0; seed < 40; seed++) {                      // the seed picks the first neighbour
            List<List<int[]>> negs = new BatchNegatives().generate(prefixes, truths, n - 1, context(seed));
            for (int b = 0; b < n; b++) {
                assertThat(negs.get(b)).hasSize(n - 1);
                assertThat(negs.get(b).stream().map(x -> x[0]).distinct().count()).as("seed " + seed + ", row " + b).isEqualTo(n - 1);
                assertThat(negs.get(b).stream().map(x -> x[0])).doesNotContain(10 + b);
            }
        }
    }

    @Test
    void everyGeneratorStaysWithinTheContextWhenAnotherRowsTruthWouldNot() {
        // row 0: 25 + 3 tokens fit in 32; row 1's truth (20) after row 0's prefix (25) would not
        int[][] prefixes = {new int[25], {8}, {9}};
        int[][] truths = {{11, 12, EOS}, new int[20], {13, 14, 15, EOS}};
        java.util.Arrays.fill(prefixes[0], 5);
        java.util.Arrays.fill(truths[1], 7);
        List<NegativeGenerator> all = List.of(new BatchNegatives(), new TruncationNegatives(), new MeanFieldNegatives(0.15),
                new AutoregressiveNegatives());
        for (NegativeGenerator g : all) {
            List<List<int[]>> negs = g.generate(prefixes, truths, 2, context(7));
            for (int b = 0; b < prefixes.length; b++) {
                for (int[] n : negs.get(b)) {
                    assertThat(prefixes[b].length + n.length).as(g.name() + " negative of row " + b).isLessThanOrEqualTo(CONFIG.contextLength());
                }
            }
        }
        List<List<int[]>> batch = new BatchNegatives().generate(prefixes, truths, 2, context(7));
        assertThat(batch.get(0)).containsExactly(truths[2]);
        assertThat(batch.get(1)).hasSize(2);
    }

    @Test
    void rougeLF1() {
        assertThat(RougeL.f1(new int[] {1, 2, 3, 4}, new int[] {1, 3, 4, 5})).isEqualTo(0.75);
        assertThat(RougeL.f1(new int[] {1, 2}, new int[] {1, 2})).isEqualTo(1.0);
        assertThat(RougeL.f1(new int[] {7}, new int[] {1, 2})).isZero();
        assertThat(RougeL.f1(new int[] {1, 9, 2}, new int[] {1, 2, 3, 4})).isCloseTo(2 * (2 / 3.0) * 0.5 / (2 / 3.0 + 0.5), org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void mixerSharesSlotsRoundRobinAndRanksBySimilarity() {
        NegativeMixer mixer = new NegativeMixer(List.of(new TruncationNegatives(), new BatchNegatives()));
        NegativeMixer.Mixed m = mixer.build(PREFIXES, TRUTHS, 5, false, context(5));
        CandidateSet set = m.set();
        assertThat(set.candidates()).isEqualTo(5);
        for (int b = 0; b < TRUTHS.length; b++) {
            assertThat(set.continuation(b, 0)).containsExactly(TRUTHS[b]);
            assertThat(m.sources()[b]).containsExactly("truth", "truncation", "batch", "truncation", "batch");
        }
        NegativeMixer.Mixed ranked = mixer.build(PREFIXES, TRUTHS, 5, true, context(5));
        for (int b = 0; b < TRUTHS.length; b++) {
            double previous = 2;
            for (int j = 1; j < 5; j++) {
                double sim = RougeL.f1(ranked.set().continuation(b, j), TRUTHS[b]);
                assertThat(sim).isLessThanOrEqualTo(previous);
                previous = sim;
            }
        }
    }

    @Test
    void sampledNegativesCarryTheReferencesOwnLogProbability() {
        Gpt policy = Gpt.create(CONFIG, 3), reference = Gpt.create(CONFIG, 4).freeze(true);
        NegativeContext ctx = new NegativeContext(policy, reference, EOS, new Rng(8));
        List<List<Negative>> negs = new AutoregressiveNegatives(Sampling.temperature(0.7f), false, 1.5).generateWithReference(PREFIXES, TRUTHS, 3, ctx);
        int checked = 0;
        for (int b = 0; b < TRUTHS.length; b++) {
            for (Negative n : negs.get(b)) {
                CandidateSet one = new CandidateSet(new int[][] {PREFIXES[b]}, new int[][][] {{n.tokens()}});
                float scored = io.cpo4j.cpo.score.SequenceScorer.scoreNoGrad(reference, one).values()[0];
                float byPolicy = io.cpo4j.cpo.score.SequenceScorer.scoreNoGrad(policy, one).values()[0];
                assertThat(Math.abs(byPolicy - scored)).as("the two models disagree, so the test tells them apart").isGreaterThan(1e-2f);
                assertThat(n.hasReferenceLogProb()).isTrue();
                assertThat(n.referenceLogProb()).as("example %d, %d tokens", b, n.tokens().length).isCloseTo(scored, org.assertj.core.data.Offset.offset(1e-4f * Math.max(1f, Math.abs(scored))));
                checked++;
            }
        }
        assertThat(checked).isEqualTo(9);
        // sampled from the policy: the reference's value is not known
        for (List<Negative> l : new AutoregressiveNegatives(Sampling.temperature(1f), true, 1.5).generateWithReference(PREFIXES, TRUTHS, 2, context(8))) {
            for (Negative n : l) assertThat(n.hasReferenceLogProb()).isFalse();
        }
    }

    @Test
    void theMixerKeepsKnownReferenceLogProbabilitiesWithTheirCandidates() {
        NegativeMixer mixer = new NegativeMixer(List.of(new AutoregressiveNegatives(), new TruncationNegatives()));
        for (boolean ranked : new boolean[] {false, true}) {
            NegativeMixer.Mixed m = mixer.build(PREFIXES, TRUTHS, 5, ranked, context(9));
            for (int b = 0; b < TRUTHS.length; b++) {
                assertThat(m.referenceLogProbs()[b][0]).isNaN();
                for (int j = 1; j < 5; j++) {
                    float known = m.referenceLogProbs()[b][j];
                    if (m.sources()[b][j].equals("autoregressive")) {
                        CandidateSet one = new CandidateSet(new int[][] {PREFIXES[b]}, new int[][][] {{m.set().continuation(b, j)}});
                        float scored = io.cpo4j.cpo.score.SequenceScorer.scoreNoGrad(context(9).reference(), one).values()[0];
                        assertThat(known).as("ranked %s, example %d slot %d", ranked, b, j).isCloseTo(scored, org.assertj.core.data.Offset.offset(1e-4f * Math.max(1f, Math.abs(scored))));
                    } else {
                        assertThat(known).isNaN();
                    }
                }
            }
        }
    }
}
