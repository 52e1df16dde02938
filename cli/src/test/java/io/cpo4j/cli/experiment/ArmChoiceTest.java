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
    void betaMayBeTakenFromAnotherArmAndTheRestOfTheFieldsStillParse() {
        ArmChoice a = ArmChoice.parse("mle+cpo=cpo:autoregressive:4:@cpo-an:1");
        assertThat(a.betaFrom()).isEqualTo("cpo-an");
        assertThat(a.needsChoice()).isFalse();
        assertThat(a.alternatives().get(0).cpoAlpha()).isEqualTo(1.0);
        ArmChoice resolved = a.withBeta(0.25).sharingPrefixes();
        assertThat(resolved.alternatives()).extracting(CpoConfig::beta).containsExactly(0.25);
        assertThat(resolved.alternatives().get(0).cpoAlpha()).isEqualTo(1.0);
        assertThat(resolved.alternatives().get(0).sharePrefixes()).isTrue();
        assertThat(resolved.betaFrom()).isEqualTo("cpo-an");
        assertThat(ArmChoice.parse("cpo-an=cpo:autoregressive:4:0.1|1").betaFrom()).isNull();

        assertThatThrownBy(() -> ArmChoice.parse("x=cpo:batch:4:@")).hasMessageContaining("must take β from another arm");
        assertThatThrownBy(() -> ArmChoice.parse("x=cpo:batch:4:@x")).hasMessageContaining("must take β from another arm");
        assertThatThrownBy(() -> ArmChoice.parse("x=mle::1:@cpo-an")).hasMessageContaining("not contrastive");
    }

    @Test
    void malformedArmsAreRefusedWithTheText() {
        assertThatThrownBy(() -> ArmChoice.parse("cpo:autoregressive")).hasMessageContaining("'cpo:autoregressive' must look like name=");
        assertThatThrownBy(() -> ArmChoice.parse("x=cpo:autoregressive:4:0.1|")).hasMessageContaining("empty alternative");
        assertThatThrownBy(() -> ArmChoice.parse("x=cpo:sideways:4")).hasMessageContaining("unknown negatives 'sideways'");
    }
}
