package io.cpo4j.cli.oracle;

import io.cpo4j.engine.Rng;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The forward algorithm against a brute-force sum over every hidden path. */
class ForwardTest {

    private final OracleLanguage oracle = OracleLanguage.english();
    private final Grammar g = oracle.grammar();

    /**
     * Σ over topics and over every sequence of moves — a grammar arc that emits the word, or a
     * noise step that stays put — of the product of their probabilities; the end likewise.
     */
    private double bruteForce(List<String> words, boolean complete, double eps) {
        Vocabulary v = g.vocabulary();
        double noise = eps / v.symbols();
        int[] ids = words.stream().mapToInt(v::id).toArray();
        double total = 0;
        for (int t = 0; t < g.topicCount(); t++) total += g.topicPrior(t) * paths(g.start(), t, ids, 0, complete, eps, noise);
        return total;
    }

    private double paths(int state, int topic, int[] ids, int i, boolean complete, double eps, double noise) {
        if (i == ids.length) return complete ? (1 - eps) * g.endProb(state) + noise : 1;
        double sum = noise * paths(state, topic, ids, i + 1, complete, eps, noise);
        for (int a = 0; a < g.arcCount(); a++) {
            if (g.arcFrom(a) != state) continue;
            double e = g.arcClass(a).prob(topic, ids[i]);
            if (e == 0) continue;
            sum += (1 - eps) * g.arcProb(a) * e * paths(g.arcTo(a), topic, ids, i + 1, complete, eps, noise);
        }
        return sum;
    }

    private List<List<String>> shortSequences() {
        List<List<String>> out = new ArrayList<>();
        out.add(List.of());
        out.add(List.of("the", "farmers", "sell", "apples", "."));
        out.add(List.of("the", "sheep", "sleeps", "."));
        out.add(List.of("the", "sheep", "sleep", "."));
        out.add(List.of("the", "farmers", "sells", "apples", "."));           // agreement error
        out.add(List.of("does", "the", "fish", "swim", "?"));
        out.add(List.of("the", "zebra", "sleeps", "."));                     // unknown word
        out.add(List.of("that", "sails", "sails", "."));                     // ambiguous words
        for (OracleDocument d : oracle.documents(5, 6)) out.add(d.prefix(5));
        Rng rng = new Rng(9);
        for (int k = 0; k < 4; k++) {                                        // random word salad
            List<String> salad = new ArrayList<>();
            for (int i = 0; i < 4; i++) salad.add(g.vocabulary().word(rng.nextInt(g.vocabulary().size())));
            out.add(salad);
        }
        return out;
    }

    @Test
    void forwardEqualsTheSumOverAllHiddenPaths() {
        for (List<String> words : shortSequences()) {
            for (boolean complete : new boolean[] {false, true}) {
                double expected = Math.log(bruteForce(words, complete, oracle.epsilon()));
                OracleScore s = oracle.score(words, complete);
                assertThat(s.logProb()).as("%s complete=%s", words, complete).isCloseTo(expected, within(1e-10 * Math.max(1, Math.abs(expected))));
                boolean cleanPositive = bruteForce(words, complete, 0) > 0;
                assertThat(s.valid()).as("validity of %s complete=%s", words, complete).isEqualTo(cleanPositive);
            }
        }
    }

    @Test
    void smoothedNextSymbolProbabilitiesSumToOneAfterAnyPrefix() {
        Vocabulary v = g.vocabulary();
        List<List<String>> prefixes = List.of(List.of(), List.of("the", "old"), List.of("the", "farmers", "sells"),
                List.of("zebra"), oracle.document(3, 0).words());
        for (List<String> prefix : prefixes) {
            Forward f = oracle.forward();
            for (String w : prefix) f.next(w);
            double sum = 0;
            for (int w = 0; w <= v.unknown(); w++) sum += Math.exp(f.copy().next(w));
            sum += Math.exp(f.copy().end());
            assertThat(sum).as("after %s", prefix).isCloseTo(1.0, within(1e-12));
        }
    }

    @Test
    void copiesAreIndependentAndStepsAddUp() {
        Forward f = oracle.forward();
        double a = f.next("the") + f.next("farmers");
        Forward branch = f.copy();
        double b = branch.next("sell");
        assertThat(f.steps()).isEqualTo(2);
        assertThat(branch.steps()).isEqualTo(3);
        assertThat(branch.logProb()).isCloseTo(a + b, within(1e-12));
        assertThat(f.logProb()).isCloseTo(a, within(1e-12));
    }

    @Test
    void theTopicPosteriorFindsTheHiddenTopic() {
        int right = 0, n = 200;
        for (OracleDocument d : oracle.documents(8, n)) {
            Forward f = oracle.forward();
            for (String w : d.words()) f.next(w);
            int best = 0;
            for (int t = 1; t < g.topicCount(); t++) if (f.topicPosterior(t) > f.topicPosterior(best)) best = t;
            if (best == d.topic()) right++;
        }
        assertThat(right).as("documents whose topic the posterior recovers").isGreaterThan(n * 9 / 10);
    }
}
