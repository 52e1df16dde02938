package io.cpo4j.cpo.train;

import io.cpo4j.cpo.negatives.AutoregressiveNegatives;
import io.cpo4j.engine.DType;
import io.cpo4j.cpo.negatives.BatchNegatives;
import io.cpo4j.cpo.negatives.TruncationNegatives;
import io.cpo4j.model.gpt.Gpt;
import io.cpo4j.model.lm.LanguageModel;
import io.cpo4j.model.lora.LoraConfig;
import io.cpo4j.cpo.negatives.MeanFieldNegatives;
import io.cpo4j.cpo.negatives.NegativeGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** CPO with a LoRA policy: the reference is the policy's own base with the adapters off, never a copy. */
class LoraCpoTest {

    static final LoraConfig LORA = LoraConfig.of(4, 8, "c_attn", "c_proj", "c_fc");

    static CpoConfig recipe(int steps, io.cpo4j.cpo.negatives.NegativeGenerator... negatives) {
        return ContrastiveTrainingTest.recipe(LossType.CPO, steps).toBuilder().negatives(negatives).build();
    }

    /** Fresh adapters (B = 0) make the policy the reference: every reward of the first step is exactly 0. */
    @Test
    void theReferenceIsTheBaseAndStepZerosRewardsAreExactlyZero() {
        Gpt base = Gpt.create(ContrastiveTrainingTest.CONFIG, 3);
        LanguageModel policy = base.withLora(LORA, 5);
        CpoTrainer trainer = new CpoTrainer(policy, ContrastiveTrainingTest.examples(), recipe(3, new TruncationNegatives(), new BatchNegatives()));
        assertThat(trainer.reference()).isSameAs(base);
        Map<String, Double> m = trainer.step();
        assertThat(m.get("rewards/chosen")).isEqualTo(0.0);
        assertThat(m.get("rewards/rejected/truncation")).isEqualTo(0.0);
        assertThat(m.get("rewards/rejected/batch")).isEqualTo(0.0);
        assertThat(m.get("rewards/accuracies")).as("no truth is strictly above a negative of equal reward").isEqualTo(0.0);
        assertThat(m.get("loss")).isCloseTo(Math.log(4), org.assertj.core.data.Offset.offset(1e-6));
        assertThat(trainer.step().get("rewards/margins")).as("the adapters moved after one step").isNotEqualTo(0.0);
    }

    /**
     * Autoregressive negatives are sampled from the base; asked to, the reference (the base) scores
     * them again with the same full forward as the policy, so at step 0 their rewards are exactly 0 too.
     */
    @Test
    void stepZeroWithAutoregressiveNegativesFromTheBase() {
        Gpt base = Gpt.create(ContrastiveTrainingTest.CONFIG, 3);
        float[] baseValues = base.parameters().values().clone();
        CpoConfig recipe = recipe(3, new AutoregressiveNegatives()).toBuilder().rescoreNegatives(true).build();
        CpoTrainer trainer = new CpoTrainer(base.withLora(LORA, 5), ContrastiveTrainingTest.examples(), recipe);
        Map<String, Double> m = trainer.step();
        assertThat(m.get("rewards/chosen")).isEqualTo(0.0);
        assertThat(m.get("rewards/rejected/autoregressive")).isEqualTo(0.0);
        assertThat(m.get("loss")).isCloseTo(Math.log(4), org.assertj.core.data.Offset.offset(1e-6));
        trainer.train();
        assertThat(Arrays.equals(base.parameters().values(), baseValues)).as("the base, bit for bit, after training").isTrue();
        assertThat(trainer.trainer().stepsDone()).isEqualTo(3);

        LanguageModel merged = trainer.policy().mergeAndUnload(), soup = WeightEnsemble.interpolate(base, trainer.policy(), 1f);
        assertThat(Arrays.equals(soup.parameters().values(), merged.parameters().values())).as("the ensemble's α = 1 end is the merged policy").isTrue();
    }

    /**
     * By default the reference takes the sampler's recorded log-probabilities of the negatives it
     * sampled (one forward pass fewer): at step 0 the truth's reward is still exactly 0 (scored by
     * the same forward on both sides), the negatives' rewards are 0 within the decoder's rounding.
     */
    @Test
    void byDefaultTheSamplersLogProbabilitiesAreTheReferences() {
        Gpt base = Gpt.create(ContrastiveTrainingTest.CONFIG, 3);
        CpoConfig reuse = recipe(3, new AutoregressiveNegatives());
        assertThat(reuse.rescoreNegatives()).isFalse();
        CpoTrainer reusing = new CpoTrainer(base.withLora(LORA, 5), ContrastiveTrainingTest.examples(), reuse);
        Map<String, Double> reused = reusing.step();
        assertThat(List.copyOf(reusing.trainer().lastPhaseSeconds().keySet())).containsExactly("sampling", "scoring", "backward", "optimizer");
        Map<String, Double> rescored = new CpoTrainer(base.withLora(LORA, 5), ContrastiveTrainingTest.examples(),
                reuse.toBuilder().rescoreNegatives(true).build()).step();
        assertThat(reused.get("rewards/chosen")).isEqualTo(0.0);
        assertThat(rescored.get("rewards/rejected/autoregressive")).isEqualTo(0.0);
        assertThat(reused.get("rewards/rejected/autoregressive")).isCloseTo(0.0, org.assertj.core.data.Offset.offset(1e-4));
        assertThat(reused.get("logps/rejected")).as("the same negatives, scored by the policy alike").isEqualTo(rescored.get("logps/rejected"));
    }

    /**
     * A bf16 base (toFrozenBase) is the reference as it is: step 0's rewards are exactly 0, and a
     * run over it, autoregressive negatives included, is bit for bit the run over the float32
     * model of its widened weights, while the base keeps its bits.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"BF16", "F16"})
    void aHalfPrecisionBaseTrainsAsItsWidenedFloat32Twin(DType dtype) {
        LanguageModel half = Gpt.create(ContrastiveTrainingTest.CONFIG, 3).toFrozenBase(dtype), widened = half.toFloat32();
        float[] halfBits = half.weights().get(0).toArray();
        CpoConfig recipe = recipe(3, new AutoregressiveNegatives(), new TruncationNegatives()).toBuilder().rescoreNegatives(true).build();
        CpoTrainer onHalf = new CpoTrainer(half.withLora(LORA, 5), ContrastiveTrainingTest.examples(), recipe);
        CpoTrainer onFloat = new CpoTrainer(widened.withLora(LORA, 5), ContrastiveTrainingTest.examples(), recipe);
        assertThat(onHalf.reference()).isSameAs(half);
        Map<String, Double> first = onHalf.step();
        assertThat(first.get("rewards/chosen")).isEqualTo(0.0);
        assertThat(first.get("rewards/rejected/autoregressive")).isEqualTo(0.0);
        assertThat(first.get("loss")).isCloseTo(Math.log(4), org.assertj.core.data.Offset.offset(1e-6));
        assertThat(untimed(onFloat.step())).isEqualTo(untimed(first));
        for (int i = 0; i < 2; i++) assertThat(untimed(onHalf.step())).isEqualTo(untimed(onFloat.step()));
        assertThat(Arrays.equals(onHalf.policy().parameters().values(), onFloat.policy().parameters().values())).as("the adapters, bit for bit").isTrue();
        assertThat(half.weights().get(0).toArray()).isEqualTo(halfBits);

        LanguageModel merged = onHalf.policy().mergeAndUnload(), soup = WeightEnsemble.interpolate(half, onHalf.policy(), 1f);
        assertThat(Arrays.equals(soup.parameters().values(), merged.parameters().values())).as("the ensemble's α = 1 end is the merged policy").isTrue();
        assertThat(WeightEnsemble.interpolate(half, onHalf.policy(), 0f).parameters().values()).isEqualTo(widened.parameters().values());
    }

    /** A step's metrics without its wall-clock throughput. */
    private static Map<String, Double> untimed(Map<String, Double> metrics) {
        Map<String, Double> m = new java.util.TreeMap<>(metrics);
        m.remove("tokens_per_sec");
        return m;
    }

    /**
     * Every objective with every negative generator trains the adapters alone: the base keeps its
     * bits, the adapters move, and where the loss has a reference, every reward of step 0 is 0
     * (exactly: sampled negatives are scored again by the reference's own forward).
     */
    @ParameterizedTest
    @EnumSource(LossType.class)
    void everyObjectiveAndNegativeGeneratorTrainsOnlyTheAdapters(LossType type) {
        NegativeGenerator[][] mixes = {{new AutoregressiveNegatives()}, {new TruncationNegatives(), new BatchNegatives()}, {new MeanFieldNegatives()}};
        for (NegativeGenerator[] negatives : mixes) {
            Gpt base = Gpt.create(ContrastiveTrainingTest.CONFIG, 3);
            float[] baseValues = base.parameters().values().clone();
            LanguageModel policy = base.withLora(LORA, 5);
            float[] adapters = policy.parameters().values().clone();
            CpoConfig recipe = ContrastiveTrainingTest.recipe(type, 2).toBuilder().negatives(negatives).rescoreNegatives(true).build();
            CpoTrainer trainer = new CpoTrainer(policy, ContrastiveTrainingTest.examples(), recipe);
            String what = type + " with " + negatives[0].getClass().getSimpleName();
            Map<String, Double> first = trainer.step();
            if (recipe.isContrastive() && recipe.loss().usesReference()) {
                assertThat(trainer.reference()).as(what).isSameAs(base);
                assertThat(first.get("rewards/chosen")).as(what).isEqualTo(0.0);
                first.forEach((k, v) -> {
                    if (k.startsWith("rewards/rejected/")) assertThat(v).as(what + " " + k).isEqualTo(0.0);
                });
            }
            trainer.step();
            assertThat(Arrays.equals(base.parameters().values(), baseValues)).as(what + ": the base, bit for bit").isTrue();
            assertThat(Arrays.equals(policy.parameters().values(), adapters)).as(what + ": the adapters moved").isFalse();
        }
    }
}
