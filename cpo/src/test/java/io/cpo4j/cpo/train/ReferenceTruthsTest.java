package io.cpo4j.cpo.train;

import io.cpo4j.cpo.score.CandidateSet;
import io.cpo4j.cpo.score.SequenceScorer;
import io.cpo4j.model.data.TokenizedExample;
import io.cpo4j.model.gpt.Gpt;
import io.cpo4j.model.train.Checkpoints;
import io.cpo4j.model.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The reference's truth log-probabilities kept across steps: what they are, when they are reused, and that training with them resumes exactly. */
class ReferenceTruthsTest {

    @TempDir
    Path dir;

    @Test
    void eachTruthIsScoredAloneOnceAndReusedAfterwards() {
        Gpt reference = Gpt.create(ContrastiveTrainingTest.CONFIG, 3);
        List<TokenizedExample> batch = ContrastiveTrainingTest.examples().subList(0, 4);
        ReferenceTruths truths = new ReferenceTruths(reference);
        float[][] known = new float[4][3];
        for (float[] row : known) Arrays.fill(row, Float.NaN);
        known[2][1] = -7.5f;                                              // a negative whose value a sampler knew
        float[][] filled = truths.withTruths(batch, known, 3);

        int[][] prefixes = new int[4][];
        int[][][] conts = new int[4][1][];
        for (int b = 0; b < 4; b++) {
            prefixes[b] = batch.get(b).prefix();
            conts[b][0] = batch.get(b).continuation();
        }
        float[] inBatch = SequenceScorer.scoreNoGrad(reference, new CandidateSet(prefixes, conts)).values();
        for (int b = 0; b < 4; b++) {
            TokenizedExample e = batch.get(b);
            float alone = SequenceScorer.scoreNoGrad(reference, new CandidateSet(new int[][] {e.prefix()}, new int[][][] {{e.continuation()}})).values()[0];
            assertThat(filled[b][0]).as("truth %d: its value scored alone", b).isEqualTo(alone);
            assertThat((double) filled[b][0]).as("truth %d: close to its in-batch value", b).isCloseTo(inBatch[b], within(1e-5 * Math.abs(inBatch[b])));
            assertThat(filled[b][0]).isLessThan(-1f);
        }
        assertThat(filled[2][1]).isEqualTo(-7.5f);
        assertThat(filled[0][1]).isNaN();
        assertThat(known[2][0]).as("the caller's array is not changed").isNaN();
        assertThat(truths.drawn()).isEqualTo(4);
        assertThat(truths.reused()).isZero();

        float[][] again = truths.withTruths(List.of(batch.get(3), batch.get(0)), null, 2);
        assertThat(again[0][0]).isEqualTo(filled[3][0]);
        assertThat(again[1][0]).isEqualTo(filled[0][0]);
        assertThat(again[0][1]).isNaN();
        assertThat(truths.drawn()).isEqualTo(6);
        assertThat(truths.reused()).isEqualTo(2);
    }

    private static Trainer trainer(int steps, boolean precompute) {
        CpoConfig recipe = ContrastiveTrainingTest.recipe(LossType.CPO, steps).toBuilder().precomputeRefLogProbs(precompute).build();
        return new CpoTrainer(Gpt.create(ContrastiveTrainingTest.CONFIG, 3), ContrastiveTrainingTest.examples(), recipe).trainer();
    }

    /** 13 examples drawn 4 at a time: from the third step on most truths come again. */
    @Test
    void trainingReusesTheTruthsFollowsThePlainRunAndResumesBitForBit() throws Exception {
        Trainer plain = trainer(8, false), kept = trainer(8, true);
        List<Double> reused = new ArrayList<>();
        for (int step = 0; step < 8; step++) {
            Map<String, Double> a = plain.step(), b = kept.step();
            assertThat(a).doesNotContainKey("ref_truths_reused");
            reused.add(b.get("ref_truths_reused"));
            if (step == 0) assertThat(b.get("logps/chosen")).as("the same policy, the same candidates").isEqualTo(a.get("logps/chosen"));
            if (step < 3) assertThat(b.get("loss")).as("step %d loss", step).isCloseTo(a.get("loss"), within(1e-4 * Math.abs(a.get("loss"))));
        }
        double late = reused.subList(4, 8).stream().mapToDouble(r -> r).average().orElseThrow();
        assertThat(late).as("share of truths reused in the last four steps: " + reused).isGreaterThanOrEqualTo(0.5);
        assertThat(reused.get(0)).as("in the first batch only a truth drawn twice is reused").isLessThan(late);
        assertThat(CpoConfig.builder().build().precomputeRefLogProbs()).isFalse();
        assertThat(trainerConfigJson(true)).containsEntry("precompute_ref_log_probs", true);

        Trainer first = trainer(8, true);
        for (int i = 0; i < 4; i++) first.step();
        Path saved = new Checkpoints(dir, 1, ContrastiveTrainingTest.EOS).save(first);
        Trainer resumed = trainer(8, true);
        Checkpoints.restore(resumed, saved);
        while (!resumed.finished()) resumed.step();
        assertThat(Arrays.equals(resumed.model().parameters().values(), kept.model().parameters().values()))
                .as("a resumed run, its table empty, ends with the uninterrupted run's weights").isTrue();
    }

    private static Map<String, Object> trainerConfigJson(boolean precompute) {
        return ContrastiveTrainingTest.recipe(LossType.CPO, 1).toBuilder().precomputeRefLogProbs(precompute).build().toBuilder().build().toJson();
    }
}
