package io.cpo4j.cli.experiment;

import io.cpo4j.cpo.train.CpoConfig;
import io.cpo4j.cpo.train.LossType;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArmChoiceTest {

    @Test
    void oneRecipeNeedsNoChoice() {
        ArmChoice a = ArmChoice.parse("cpo-an=cpo:autoregressive:4:0.1");
        assertThat(a.name()).isEqualTo("cpo-an");
        assertThat(a.needsChoice()).isFalse();
        CpoConfig c = a.alternatives().get(0);
        assertThat(c.lossType()).isEqualTo(LossType.CPO);
        assertThat(c.candidates()).isEqualTo(4);
        assertThat(c.beta()).isEqualTo(0.1);
        assertThat(Recipes.negativeNames(c)).isEqualTo("autoregressive");
    }

    @Test
    void alternativesAreTheProductOfTheFieldsInTheOrderWritten() {
        ArmChoice a = ArmChoice.parse("x=cpo:autoregressive+batch:2|4:0.1|1:1");
        assertThat(a.needsChoice()).isTrue();
        assertThat(a.alternatives()).hasSize(4);
        assertThat(a.alternatives()).extracting(CpoConfig::candidates).containsExactly(2, 2, 4, 4);
        assertThat(a.alternatives()).extracting(CpoConfig::beta).containsExactly(0.1, 1.0, 0.1, 1.0);
        assertThat(a.alternatives()).extracting(CpoConfig::cpoAlpha).containsOnly(1.0);
        assertThat(a.alternatives()).extracting(Recipes::negativeNames).containsOnly("autoregressive+batch");
        assertThat(a.isContrastive()).isTrue();
        assertThat(ArmChoice.parse("mle=mle").isContrastive()).isFalse();
    }

    @Test
    void malformedArmsAreRefusedWithTheText() {
        assertThatThrownBy(() -> ArmChoice.parse("cpo:autoregressive")).hasMessageContaining("'cpo:autoregressive' must look like name=");
        assertThatThrownBy(() -> ArmChoice.parse("x=cpo:autoregressive:4:0.1|")).hasMessageContaining("empty alternative");
        assertThatThrownBy(() -> ArmChoice.parse("x=cpo:sideways:4")).hasMessageContaining("unknown negatives 'sideways'");
    }
}
