package io.cpo4j.cpo.train;

import io.cpo4j.cpo.loss.DpoLoss;
import io.cpo4j.cpo.loss.PlainCpoLoss;
import io.cpo4j.cpo.loss.RankedCpoLoss;
import io.cpo4j.cpo.loss.SimpoLoss;
import io.cpo4j.cpo.loss.WithNll;
import io.cpo4j.cpo.loss.XuCpoLoss;
import io.cpo4j.model.gen.Sampling;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FinetuneSpecTest {

    @Test
    void namesBecomeLossesAndPairwiseObjectivesUseTwoCandidates() {
        FinetuneSpec d = FinetuneSpec.defaults();
        assertThat(d.loss()).isInstanceOf(PlainCpoLoss.class);
        assertThat(d.candidates()).isEqualTo(4);
        assertThat(d.withObjective("cpo-ranked").loss()).isInstanceOf(RankedCpoLoss.class);
        assertThat(d.withObjective("dpo").candidates()).isEqualTo(2);
        assertThat(d.withObjective("dpo").loss()).isInstanceOf(DpoLoss.class);
        assertThat(d.withObjective("cpo-xu").loss()).isInstanceOf(XuCpoLoss.class);
        assertThat(d.withObjective("simpo").loss()).isInstanceOf(SimpoLoss.class);
        assertThat(d.withObjective("simpo").needsReference()).as("samples negatives from the frozen model").isTrue();
        assertThat(d.withObjective("simpo").withNegatives(List.of("truncation")).needsReference()).isFalse();
        assertThat(d.withObjective("mle").isContrastive()).isFalse();
        FinetuneSpec withNll = new FinetuneSpec("cpo", List.of("batch"), 4, 0.1, 0.5, false, Sampling.temperature(1f), 0.15, 0.25, 1, 1);
        assertThat(withNll.loss()).isInstanceOf(WithNll.class);
        assertThat(d.mixer().names()).containsExactly("autoregressive");
        assertThat(d.withNegatives(List.of("meanfield", "truncation")).mixer().names()).containsExactly("meanfield", "truncation");
    }

    @Test
    void unknownNamesAreRefusedWithTheChoices() {
        assertThatThrownBy(() -> FinetuneSpec.defaults().withObjective("ppo")).hasMessageContaining("unknown objective 'ppo'").hasMessageContaining("cpo-ranked");
        assertThatThrownBy(() -> FinetuneSpec.defaults().withNegatives(List.of("beam"))).hasMessageContaining("unknown negatives 'beam'");
        assertThatThrownBy(() -> FinetuneSpec.defaults().withCandidates(1)).hasMessageContaining("at least 2");
    }
}
