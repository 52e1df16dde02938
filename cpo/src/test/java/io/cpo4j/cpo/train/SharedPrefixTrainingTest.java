package io.cpo4j.cpo.train;

import io.cpo4j.cpo.negatives.BatchNegatives;
import io.cpo4j.cpo.negatives.TruncationNegatives;
import io.cpo4j.model.gpt.Gpt;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The fine-tuning switch: off by default, recorded in the config, and training with it follows training without it. */
class SharedPrefixTrainingTest {

    @Test
    void offByDefaultKeptByToBuilderAndRecorded() {
        CpoConfig plain = ContrastiveTrainingTest.recipe(LossType.CPO, 2);
        assertThat(plain.sharePrefixes()).isFalse();
        CpoConfig shared = plain.toBuilder().sharePrefixes(true).build();
        assertThat(shared.toBuilder().build().sharePrefixes()).isTrue();
        assertThat(shared.toJson()).containsEntry("share_prefixes", true);
        assertThat(plain.toJson()).containsEntry("share_prefixes", false);
    }

    /** Deterministic negatives (truncations, other rows' truths), so that both runs see the same candidates. */
    @Test
    void threeStepsWithSharedPromptsFollowTheUnsharedOnes() {
        CpoConfig recipe = ContrastiveTrainingTest.recipe(LossType.CPO_RANKED, 3).toBuilder()
                .negatives(new TruncationNegatives(), new BatchNegatives()).build();
        CpoTrainer plain = new CpoTrainer(Gpt.create(ContrastiveTrainingTest.CONFIG, 3), ContrastiveTrainingTest.examples(), recipe);
        CpoTrainer shared = new CpoTrainer(Gpt.create(ContrastiveTrainingTest.CONFIG, 3), ContrastiveTrainingTest.examples(),
                recipe.toBuilder().sharePrefixes(true).build());
        for (int step = 0; step < 3; step++) {
            Map<String, Double> a = plain.step(), b = shared.step();
            assertThat(b.get("loss")).as("loss at step " + step).isCloseTo(a.get("loss"), org.assertj.core.data.Offset.offset(1e-5 * Math.abs(a.get("loss"))));
            assertThat(b.get("logps/chosen")).as("logps/chosen at step " + step)
                    .isCloseTo(a.get("logps/chosen"), org.assertj.core.data.Offset.offset(1e-5 * Math.abs(a.get("logps/chosen"))));
        }
        float[] pa = plain.policy().parameters().values(), pb = shared.policy().parameters().values();
        double diff = 0, moved = 0;
        float[] start = Gpt.create(ContrastiveTrainingTest.CONFIG, 3).parameters().values();
        for (int i = 0; i < pa.length; i++) {
            diff = Math.max(diff, Math.abs(pa[i] - pb[i]));
            moved = Math.max(moved, Math.abs(pa[i] - start[i]));
        }
        assertThat(moved).as("the steps moved the weights").isGreaterThan(1e-3);
        // AdamW divides by √v: rounding-level gradient differences of weights whose gradient is nearly 0 move
        // them by a visible fraction of the learning rate, so the bound is relative to the largest move
        assertThat(diff).as("weights after 3 steps, shared vs unshared").isLessThan(1e-2 * moved);
    }
}
