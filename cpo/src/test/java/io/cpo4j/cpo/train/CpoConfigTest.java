package io.cpo4j.cpo.train;

import io.cpo4j.cpo.loss.DpoLoss;
import io.cpo4j.cpo.loss.PlainCpoLoss;
import io.cpo4j.cpo.loss.RankedCpoLoss;
import io.cpo4j.cpo.loss.SimpoLoss;
import io.cpo4j.cpo.loss.WithNll;
import io.cpo4j.cpo.loss.XuCpoLoss;
import io.cpo4j.cpo.negatives.AutoregressiveNegatives;
import io.cpo4j.cpo.negatives.MeanFieldNegatives;
import io.cpo4j.cpo.negatives.TruncationNegatives;
import io.cpo4j.model.gen.Sampling;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CpoConfigTest {

    @Test
    void lossTypesBecomeLossesAndPairwiseLossesUseTwoCandidates() {
        CpoConfig d = CpoConfig.builder().build();
        assertThat(d.loss()).isEqualTo(new PlainCpoLoss(0.1));
        assertThat(d.candidates()).isEqualTo(4);
        assertThat(d.training().batchSize()).isEqualTo(8);
        assertThat(d.training().learningRate()).isEqualTo(1e-5f);
        CpoConfig.Builder b = d.toBuilder();
        assertThat(b.lossType(LossType.CPO_RANKED).build().loss()).isEqualTo(new RankedCpoLoss(0.1));
        assertThat(b.lossType(LossType.CPO_RANKED).build().loss().ranked()).as("ranked is a property of the loss").isTrue();
        assertThat(b.lossType(LossType.DPO).build().candidates()).isEqualTo(2);
        assertThat(b.lossType(LossType.DPO).build().loss()).isEqualTo(new DpoLoss(0.1));
        assertThat(b.lossType(LossType.CPO_XU).build().loss()).as("TRL's cpo_alpha defaults to 1 for cpo-xu").isEqualTo(new XuCpoLoss(0.1, 1.0));
        assertThat(b.lossType(LossType.SIMPO).build().loss()).isEqualTo(new SimpoLoss(0.1, 1.0));
        assertThat(b.lossType(LossType.SIMPO).build().needsReference()).as("samples negatives from the frozen model").isTrue();
        assertThat(b.lossType(LossType.SIMPO).negatives(new TruncationNegatives()).build().needsReference()).isFalse();
        assertThat(b.lossType(LossType.SIMPO).negatives(new AutoregressiveNegatives(Sampling.temperature(1f), true, 1.5)).build().needsReference())
                .as("negatives sampled from the policy need no reference").isFalse();
        assertThat(b.lossType(LossType.MLE).build().isContrastive()).isFalse();
        assertThat(d.toBuilder().cpoAlpha(0.5).build().loss()).isEqualTo(new WithNll(new PlainCpoLoss(0.1), 0.5));
        assertThat(d.toBuilder().negatives(new MeanFieldNegatives(), new TruncationNegatives()).build().negativeMixer().names())
                .containsExactly("meanfield", "truncation");
    }

    @Test
    void changingTheLossTypeKeepsItsOwnDefaults() {
        CpoConfig dpo = CpoConfig.builder().lossType(LossType.DPO).build();
        assertThat(dpo.toBuilder().lossType(LossType.CPO).build().candidates()).as("K = 2 was DPO's, not a choice").isEqualTo(4);
        assertThat(dpo.toBuilder().lossType(LossType.CPO_XU).build().cpoAlpha()).isEqualTo(1.0);
        assertThat(dpo.toBuilder().cpoAlpha(0.25).lossType(LossType.CPO_XU).build().cpoAlpha()).as("a value given stays").isEqualTo(0.25);
    }

    @Test
    void theTrainingBatchIsTheOnlyBatchSize() {
        CpoConfig c = CpoConfig.builder().training(t -> t.batchSize(3).maxSteps(7)).build();
        assertThat(c.training().batchSize()).isEqualTo(3);
        assertThat(c.training().maxSteps()).isEqualTo(7);
        assertThat(c.training().learningRate()).as("the other fine-tuning defaults stay").isEqualTo(1e-5f);
    }

    @Test
    void theRunConfigUsesTrlNames() {
        Map<String, Object> json = CpoConfig.builder().lossType(LossType.CPO_RANKED).cpoAlpha(0.5)
                .negatives(new AutoregressiveNegatives(), new MeanFieldNegatives(0.2)).build().toJson();
        assertThat(json).containsEntry("loss_type", "cpo-ranked").containsEntry("beta", 0.1).containsEntry("cpo_alpha", 0.5)
                .containsEntry("k", 4L).containsEntry("negatives", List.of("autoregressive", "meanfield"))
                .containsEntry("negatives_from", "reference").containsEntry("meanfield_fraction", 0.2).containsKey("simpo_gamma");
    }

    @Test
    void badValuesAreRefusedWithTheirNames() {
        assertThatThrownBy(() -> LossType.of("ppo")).hasMessageContaining("unknown loss_type 'ppo'").hasMessageContaining("cpo-ranked");
        assertThatThrownBy(() -> CpoConfig.builder().candidates(1).build()).hasMessageContaining("at least 2");
        assertThatThrownBy(() -> CpoConfig.builder().beta(Double.POSITIVE_INFINITY).build()).hasMessageContaining("beta");
        assertThatThrownBy(() -> CpoConfig.builder().negatives(List.of()).build()).hasMessageContaining("negative generator");
        assertThatThrownBy(() -> CpoConfig.builder().training(t -> t.batchSize(0)).build()).hasMessageContaining("batch_size");
        CpoConfig noEos = CpoConfig.builder().build();
        assertThatThrownBy(() -> noEos.objective(null, null, null, 1)).hasMessageContaining("eos_token");
    }
}
