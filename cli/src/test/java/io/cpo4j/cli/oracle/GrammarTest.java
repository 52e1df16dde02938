package io.cpo4j.cli.oracle;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class GrammarTest {

    private final Grammar g = OracleLanguage.english().grammar();

    @Test
    void everyStateAndTopicGivesAProbabilityDistributionOverTheNextSymbol() {
        for (int s = 0; s < g.stateCount(); s++) {
            for (int t = 0; t < g.topicCount(); t++) {
                double[] p = g.nextSymbolDistribution(s, t);
                double sum = 0;
                for (double v : p) {
                    assertThat(v).isBetween(0.0, 1.0);
                    sum += v;
                }
                assertThat(sum).as("state %s, topic %s", g.stateName(s), g.topicName(t)).isCloseTo(1.0, within(1e-12));
                assertThat(p[g.vocabulary().unknown()]).isZero();
            }
        }
    }

    @Test
    void everyWordClassIsADistributionPerTopicAndFavoursItsTopic() {
        for (WordClass c : g.classes()) {
            for (int t = 0; t < g.topicCount(); t++) {
                double sum = 0;
                for (int w : c.words()) sum += c.prob(t, w);
                assertThat(sum).as(c.name()).isCloseTo(1.0, within(1e-12));
            }
        }
        WordClass agents = g.classes().stream().filter(c -> c.name().equals("AGENT_PL")).findFirst().orElseThrow();
        int farmers = g.vocabulary().id("farmers"), sailors = g.vocabulary().id("sailors");
        int farm = g.topicCount() == 4 ? 0 : -1, sea = 1;
        assertThat(g.topicName(farm)).isEqualTo("farm");
        assertThat(agents.prob(farm, farmers)).isGreaterThan(20 * agents.prob(sea, farmers));
        assertThat(agents.prob(sea, sailors)).isGreaterThan(20 * agents.prob(farm, sailors));
        assertThat(agents.prob(sea, farmers)).as("off-topic words stay valid").isPositive();
    }

    @Test
    void sizeSuitsATinyModel() {
        assertThat(g.vocabulary().size()).isBetween(300, 400);
        assertThat(g.vocabulary().symbols()).isEqualTo(g.vocabulary().size() + 2);
        assertThat(g.stateCount()).isBetween(50, 300);
        double prior = 0;
        for (int t = 0; t < g.topicCount(); t++) prior += g.topicPrior(t);
        assertThat(prior).isCloseTo(1.0, within(1e-15));
        assertThat(g.endProb(g.start())).as("a document has at least one sentence").isZero();
    }

    @Test
    void everyWordCanBeEmittedAndEveryArcHasPositiveProbability() {
        Set<Integer> emitted = new HashSet<>();
        for (int a = 0; a < g.arcCount(); a++) {
            assertThat(g.arcProb(a)).isPositive();
            for (int w : g.arcClass(a).words()) emitted.add(w);
        }
        assertThat(emitted).hasSize(g.vocabulary().size());
    }
}
