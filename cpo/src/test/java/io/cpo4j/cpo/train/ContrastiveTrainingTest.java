package io.cpo4j.cpo.train;

import io.cpo4j.model.data.TokenizedExample;
import io.cpo4j.cpo.negatives.AutoregressiveNegatives;
import io.cpo4j.cpo.negatives.TruncationNegatives;
import io.cpo4j.model.gpt.Gpt;
import io.cpo4j.model.gpt.GptConfig;
import io.cpo4j.model.train.Checkpoints;
import io.cpo4j.model.train.GradientReducer;
import io.cpo4j.model.train.TrainConfig;
import io.cpo4j.model.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ContrastiveTrainingTest {

    @TempDir
    Path dir;

    static final int EOS = 0;
    static final GptConfig CONFIG = new GptConfig(24, 24, 2, 2, 32, 0f, 1e-5f);

    /** A toy task: the prefix names a start token, the continuation counts up from it, then ends. */
    static List<TokenizedExample> examples() {
        List<TokenizedExample> out = new ArrayList<>();
        for (int start = 1; start < 14; start++) {
            int[] cont = new int[6];
            for (int i = 0; i < 5; i++) cont[i] = start + i + 1;
            cont[5] = EOS;
            out.add(new TokenizedExample(new int[] {20, start}, cont));
        }
        return out;
    }

    static TrainConfig config(int steps) {
        return TrainConfig.builder().batchSize(4).blockSize(16).maxSteps(steps).learningRate(3e-3f).warmupSteps(2).weightDecay(0.0f)
                .evalEvery(0).evalBatches(1).checkpointEvery(0).keepCheckpoints(2).maxBadSteps(3).seed(7).build();
    }

    static CpoConfig recipe(LossType type, int steps) {
        return CpoConfig.builder().lossType(type).beta(0.5).candidates(4).negatives(new AutoregressiveNegatives(), new TruncationNegatives())
                .eosToken(EOS).training(config(steps)).build();
    }

    static Trainer cpoTrainer(int steps, boolean ranked) {
        return new CpoTrainer(Gpt.create(CONFIG, 3), examples(), recipe(ranked ? LossType.CPO_RANKED : LossType.CPO, steps)).trainer();
    }

    @Test
    void rewardAccuracyClimbsWellAboveOneInK() {
        Trainer t = cpoTrainer(40, false);
        List<Double> accuracy = new ArrayList<>();
        Map<String, Double> last = null;
        while (!t.finished()) {
            last = t.step();
            accuracy.add(last.get("rewards/accuracies"));
        }
        double firstFive = accuracy.subList(0, 5).stream().mapToDouble(x -> x).average().orElseThrow();
        double lastTen = accuracy.subList(30, 40).stream().mapToDouble(x -> x).average().orElseThrow();
        assertThat(lastTen).as("rewards/accuracies over the last 10 steps (1/K = 0.25); first 5: " + firstFive).isGreaterThan(0.75);
        assertThat(last).containsKeys("loss", "nll_loss", "rewards/chosen", "logps/chosen", "logps/rejected", "rewards/rejected", "rewards/margins", "truth_rank",
                "rewards/accuracies/autoregressive", "rewards/rejected/truncation", "grad_norm", "lr", "tokens_per_sec");
        assertThat(last.get("rewards/margins")).isGreaterThan(0);
        assertThat(last.get("truth_rank")).isLessThan(1.5);
    }

    @Test
    void contrastiveTrainingResumesBitForBit() throws Exception {
        Trainer straight = cpoTrainer(8, true);
        for (int i = 0; i < 8; i++) straight.step();
        Trainer first = cpoTrainer(8, true);
        for (int i = 0; i < 4; i++) first.step();
        Path saved = new Checkpoints(dir, 1, EOS).save(first);
        Trainer resumed = cpoTrainer(8, true);
        Checkpoints.restore(resumed, saved);
        while (!resumed.finished()) resumed.step();
        assertThat(Arrays.equals(resumed.model().parameters().values(), straight.model().parameters().values())).isTrue();
    }

    @Test
    void baselinesTrain() {
        Gpt sft = Gpt.create(CONFIG, 3);
        Trainer mle = new Trainer(sft, config(30), new SftObjective(sft, new ExampleSource(examples(), 5)), GradientReducer.LOCAL);
        double firstMle = mle.step().get("loss"), lastMle = firstMle;
        while (!mle.finished()) lastMle = mle.step().get("loss");
        assertThat(lastMle).isLessThan(firstMle - 1.0);

        Gpt pssModel = Gpt.create(CONFIG, 3);
        Trainer pss = new Trainer(pssModel, config(30), new PssObjective(pssModel, new ExampleSource(examples(), 5), 0.25, 1), GradientReducer.LOCAL);
        Map<String, Double> m = pss.step();
        double firstPss = m.get("loss"), mixed = m.get("mixed_fraction");
        while (!pss.finished()) {
            m = pss.step();
            mixed += m.get("mixed_fraction");
        }
        assertThat(m.get("loss")).isLessThan(firstPss - 1.0);
        assertThat(mixed / 30).isCloseTo(0.25, org.assertj.core.data.Offset.offset(0.05));
    }

    @Test
    void weightEnsembleEndpointsAreExact() {
        Gpt a = Gpt.create(CONFIG, 1), b = Gpt.create(CONFIG, 2);
        assertThat(WeightEnsemble.interpolate(a, b, 0f).parameters().values()).containsExactly(a.parameters().values());
        assertThat(WeightEnsemble.interpolate(a, b, 1f).parameters().values()).containsExactly(b.parameters().values());
        float[] half = WeightEnsemble.interpolate(a, b, 0.5f).parameters().values();
        assertThat(half[100]).isCloseTo((a.parameters().values()[100] + b.parameters().values()[100]) / 2, org.assertj.core.data.Offset.offset(1e-7f));
    }

    /**
     * At the first step the policy equals the reference, so every reward β·(log πθ − log πref) is 0 —
     * if the reference's scores are right. Negatives sampled from the reference carry its
     * log-probabilities; sampled from another frozen model they must not be taken for the reference's.
     */
    @Test
    void referenceScoresOfSampledNegativesAreTheReferencesOwn() {
        for (boolean sampleFromReference : new boolean[] {true, false}) {
            Gpt policy = Gpt.create(CONFIG, 3);
            Gpt reference = policy.copy().freeze(true);
            Gpt sampler = sampleFromReference ? reference : Gpt.create(CONFIG, 8).freeze(true);
            CpoConfig recipe = recipe(LossType.CPO, 1).toBuilder().negatives(new AutoregressiveNegatives()).build();
            ContrastiveObjective objective = new ContrastiveObjective(policy, reference, recipe, new ExampleSource(examples(), 5), 9, sampler);
            Map<String, Double> m = objective.accumulate(4, 1);
            assertThat(m.get("rewards/rejected/autoregressive")).as("sampled from the reference: %s", sampleFromReference).isCloseTo(0.0, org.assertj.core.data.Offset.offset(1e-4));
            assertThat(m.get("rewards/chosen")).isCloseTo(0.0, org.assertj.core.data.Offset.offset(1e-4));
            assertThat(m.get("loss")).isCloseTo(Math.log(4), org.assertj.core.data.Offset.offset(1e-4));
        }
    }

    /** Rows of different lengths run in separate passes; the loss is still the mean over every continuation token. */
    @Test
    void mleInLengthBucketsEqualsOnePass() {
        List<TokenizedExample> mixed = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            int[] cont = new int[i < 4 ? 12 : 2];
            for (int j = 0; j < cont.length; j++) cont[j] = 1 + (i * 5 + j) % 19;
            mixed.add(new TokenizedExample(new int[] {20, 1 + i}, cont));
        }
        Gpt model = Gpt.create(CONFIG, 3);
        double bucketed = new SftObjective(model, new ExampleSource(mixed, 4)).accumulate(8, 1).get("loss");
        List<TokenizedExample> same = new ExampleSource(mixed, 4).next(8);
        io.cpo4j.cpo.score.PaddedRows rows = SftObjective.rows(same);
        int[] lengths = same.stream().mapToInt(e -> e.prefix().length + e.continuation().length - 1).toArray();
        assertThat(io.cpo4j.cpo.score.LengthBuckets.of(lengths)).as("the batch really is split").hasSizeGreaterThan(1);
        double onePass;
        try (var s = io.cpo4j.engine.Autograd.noGrad()) {
            onePass = model.loss(rows.inputs(), rows.targets(), rows.rows(), rows.time()).item();
        }
        assertThat(bucketed).isCloseTo(onePass, org.assertj.core.data.Offset.offset(1e-5 * Math.abs(onePass)));
    }
}
