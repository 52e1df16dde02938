package io.cpo4j.cpo.score;

import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.ops.F;
import io.cpo4j.model.gpt.Gpt;
import io.cpo4j.model.gpt.GptConfig;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class SequenceScorerTest {

    static final int EOS = 0;
    static final GptConfig CONFIG = new GptConfig(30, 40, 2, 2, 16, 0f, 1e-5f);

    /**
     * Two examples, K = 5: the truth, two truncations of it (one twice), a sampled-like negative
     * longer than the truth, and one that shares the truth's first tokens but then differs.
     */
    static CandidateSet set() {
        int[][] prefixes = {{5, 6, 7}, {8}};
        int[][][] conts = {
                {{11, 12, 13, 14, 15, EOS}, {11, 12, EOS}, {11, EOS}, {11, 12, EOS}, {21, 22, 23, 24, 25, 26, 27, 28, 29, 1, 2, 3, EOS}},
                {{16, 17, 18, EOS}, {16, EOS}, {16, 17, 19, 20, EOS}, {EOS}, {3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, EOS}},
        };
        return new CandidateSet(prefixes, conts);
    }

    /** Σ log softmax(logits)[token] over the candidate, from the model's plain logits, in double. */
    static double direct(Gpt model, int[] prefix, int[] cont) {
        int t = prefix.length + cont.length - 1;
        int[] ids = new int[t];
        for (int p = 0; p < t; p++) ids[p] = p < prefix.length ? prefix[p] : cont[p - prefix.length];
        try (var s = Autograd.noGrad()) {
            float[] logits = model.logits(ids, 1, t).toArray();
            int v = CONFIG.vocabSize();
            double sum = 0;
            for (int i = 0; i < cont.length; i++) {
                int pos = prefix.length - 1 + i;
                double max = Double.NEGATIVE_INFINITY, z = 0;
                for (int j = 0; j < v; j++) max = Math.max(max, logits[pos * v + j]);
                for (int j = 0; j < v; j++) z += Math.exp(logits[pos * v + j] - max);
                sum += logits[pos * v + cont[i]] - max - Math.log(z);
            }
            return sum;
        }
    }

    @Test
    void sharedRowsAndBucketsGiveEveryCandidateItsOwnLogProbability() {
        Gpt model = Gpt.create(CONFIG, 4);
        CandidateSet set = set();
        float[] scores = SequenceScorer.scoreNoGrad(model, set).values();
        for (int b = 0; b < 2; b++) {
            for (int k = 0; k < 5; k++) {
                assertThat((double) scores[b * 5 + k]).as("example %d candidate %d", b, k)
                        .isCloseTo(direct(model, set.prefix(b), set.continuation(b, k)), within(2e-4));
            }
        }
    }

    @Test
    void truncationsAndDuplicatesAreReadFromTheRowThatHoldsThem() {
        ScoringPlan plan = ScoringPlan.of(set(), null);
        // example 0: the truth holds both truncations and the duplicate; the long negative is a row of its own.
        // example 1: the long negative, {16,17,19,20,EOS} and the truth (it differs at its third token) are rows;
        // {16, EOS} is read from {16,17,19,20,EOS}, and {EOS}, which needs only the prefix, from the longest row.
        assertThat(plan.rows()).isEqualTo(2 + 3);
        assertThat(ScoringPlan.holds(new int[] {1, 2, 3}, new int[] {1, 2, 0})).isTrue();
        assertThat(ScoringPlan.holds(new int[] {1, 2, 3}, new int[] {1, 0, 0})).isFalse();
        assertThat(ScoringPlan.holds(new int[] {1, 2}, new int[] {1, 2, 3})).isFalse();
    }

    @Test
    void knownScoresAreTakenAsGivenAndGetNoRow() {
        Gpt model = Gpt.create(CONFIG, 4);
        CandidateSet set = set();
        float[][] known = new float[2][5];
        for (float[] row : known) Arrays.fill(row, Float.NaN);
        known[0][4] = -123.5f;
        known[1][4] = -77.25f;
        assertThat(ScoringPlan.of(set, known).rows()).isEqualTo(2 + 1);
        float[] all = SequenceScorer.scoreNoGrad(model, set).values();
        float[] some = SequenceScorer.scoreNoGrad(model, set, known).values();
        for (int i = 0; i < 10; i++) {
            if (i == 4) assertThat(some[i]).isEqualTo(-123.5f);
            else if (i == 9) assertThat(some[i]).isEqualTo(-77.25f);
            else assertThat(some[i]).as("candidate %d", i).isCloseTo(all[i], within(1e-5f));
        }
        for (float[] row : known) Arrays.fill(row, -1f);
        ScoringPlan none = ScoringPlan.of(set, known);
        assertThat(none.rows()).isZero();
        assertThat(SequenceScorer.scoreNoGrad(model, set, known).values()).containsOnly(-1f);
    }

    @Test
    void rowsOfVeryDifferentLengthsRunInSeparateBuckets() {
        assertThat(LengthBuckets.ends(new int[] {100, 100, 100, 100, 10, 10, 10, 10})).containsExactly(4, 8);
        assertThat(LengthBuckets.ends(new int[] {50, 50, 49, 49})).containsExactly(4);
        assertThat(LengthBuckets.ends(new int[] {7})).containsExactly(1);
        assertThat(LengthBuckets.ends(new int[0])).isEmpty();
        // at most four buckets, whatever the spread
        assertThat(LengthBuckets.ends(new int[] {1000, 500, 250, 125, 60, 30, 15, 7})).hasSizeLessThanOrEqualTo(LengthBuckets.MAX);
        // rows in any order: indices grouped longest first, ties in index order
        assertThat(LengthBuckets.of(new int[] {10, 100, 10, 100})).containsExactly(new int[] {1, 3}, new int[] {0, 2});
        ScoringPlan plan = ScoringPlan.of(set(), null);
        long padded = plan.paddedPositions(), oneBucket = (long) plan.rows() * (set().maxLength() - 1);
        assertThat(plan.buckets()).hasSizeGreaterThan(1);
        assertThat(padded).isLessThan(oneBucket);
    }

    @Test
    void gradientsEqualScoringEveryCandidateAlone() {
        CandidateSet set = set();
        float[] weights = {0.3f, -1.1f, 0.7f, 0.2f, -0.4f, 0.9f, -0.6f, 0.5f, 1.3f, -0.8f};
        Gpt together = Gpt.create(CONFIG, 4);
        Tensor sums = SequenceScorer.score(together, set).sums();                     // (2, 5)
        F.sum(F.mul(sums, Tensor.of(weights, 2, 5))).backward();
        float[] shared = together.parameters().grads().clone();

        Gpt alone = Gpt.create(CONFIG, 4);
        for (int b = 0; b < 2; b++) {
            for (int k = 0; k < 5; k++) {
                CandidateSet one = new CandidateSet(new int[][] {set.prefix(b)}, new int[][][] {{set.continuation(b, k)}});
                F.sum(F.scale(SequenceScorer.score(alone, one).sums(), weights[b * 5 + k])).backward();
            }
        }
        float[] separate = alone.parameters().grads();
        double max = 0;
        for (float g : separate) max = Math.max(max, Math.abs(g));
        assertThat(max).isGreaterThan(1e-3);
        for (int i = 0; i < shared.length; i++) assertThat(shared[i]).as("grad %d", i).isCloseTo(separate[i], within((float) (1e-4 * max)));
    }
}
