package io.cpo4j.cli.oracle;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class OracleLanguageTest {

    private final OracleLanguage oracle = OracleLanguage.english();

    private static List<String> w(String text) {
        return OracleLanguage.words(text);
    }

    @Test
    void sameSeedSameDocumentsAndTheStreamIsStable() {
        List<OracleDocument> a = oracle.documents(42, 50), b = oracle.documents(42, 50);
        assertThat(a).isEqualTo(b);
        assertThat(oracle.documents(42, 10)).isEqualTo(a.subList(0, 10));
        assertThat(oracle.document(42, 17)).isEqualTo(a.get(17));
        assertThat(oracle.documents(43, 50)).isNotEqualTo(a);
        // Pinned: a change here changes every corpus and every figure built on it.
        assertThat(oracle.document(1, 0).text()).isEqualTo(PINNED_FIRST_DOCUMENT);
    }

    static final String PINNED_FIRST_DOCUMENT = "each noisy child bakes the new woman , and many teachers buy the buses in the house ."
            + " each man that these bakers bake sings under the bus . this teacher who sees their doctors is noisy ."
            + " the clean baker sleeps by the house quietly .";

    @Test
    void sampledDocumentsAreValidAndScoreFinitelyNoWorseThanTheirPath() {
        for (OracleDocument d : oracle.documents(3, 500)) {
            OracleScore s = oracle.score(d.words(), true);
            assertThat(s.valid()).as(d.text()).isTrue();
            assertThat(s.firstInvalid()).isEqualTo(-1);
            assertThat(s.logProb()).isFinite().isNegative();
            assertThat(s.tokens()).isEqualTo(d.size() + 1);
            // P_ε(doc) ≥ (1−ε)^tokens · P(doc, path): the sum over paths includes the sampled one.
            double smoothing = s.tokens() * Math.log1p(-oracle.epsilon());
            assertThat(s.logProb()).isGreaterThanOrEqualTo(d.pathLogProb() + smoothing - 1e-9);
            assertThat(d.words()).allMatch(oracle.vocabulary()::contains);
            assertThat(d.words().get(d.size() - 1)).isIn(".", "?");
        }
    }

    @Test
    void corruptedDocumentsAreInvalidButScoreFinitely() {
        List<List<String>> corrupted = new ArrayList<>();
        for (OracleDocument d : oracle.documents(4, 100)) {
            List<String> words = d.words();
            List<String> unknown = new ArrayList<>(words);
            unknown.add(words.size() / 2, "zebra");
            corrupted.add(unknown);
            corrupted.add(words.subList(0, words.size() - 1));            // no final punctuation
            List<String> doubled = new ArrayList<>(words);
            doubled.add(".");
            corrupted.add(doubled);                                         // ". ." at the end
            List<String> reversed = new ArrayList<>(words);
            java.util.Collections.reverse(reversed);
            corrupted.add(reversed);                                        // starts with punctuation
        }
        for (List<String> words : corrupted) {
            OracleScore s = oracle.score(words, true);
            assertThat(s.valid()).as(String.join(" ", words)).isFalse();
            assertThat(s.firstInvalid()).isBetween(0, words.size());
            assertThat(s.logProb()).isFinite();
        }
        OracleScore good = oracle.score(w("the farmers sell two red apples near the river ."), true);
        OracleScore bad = oracle.score(w("the farmers sells two red apples near the river ."), true);
        assertThat(bad.logProb()).isLessThan(good.logProb() - 8);
        assertThat(bad.firstInvalid()).isEqualTo(2);
    }

    @Test
    void subjectVerbAgreementReachesAcrossAdjectivesClausesAndPhrases() {
        String[][] pairs = {
                {"the old tired farmers sell apples .", "the old tired farmers sells apples ."},
                {"the farmer who feeds the cows sells eggs .", "the farmer who feed the cows sells eggs ."},
                {"the farmers that the cow follows sell eggs .", "the farmers that the cow follow sell eggs ."},
                {"the farmers that the cow follows sell eggs .", "the farmers that the cow follows sells eggs ."},
                {"the farmer near the boats sleeps .", "the farmer near the boats sleep ."},
                {"does the old sailor mend the nets ?", "do the old sailor mend the nets ?"},
                {"are the foxes hungry ?", "is the foxes hungry ?"},
                {"there are two wild foxes near the cave .", "there is two wild foxes near the cave ."},
                {"the bakers do not sing .", "the bakers does not sing ."},
                {"these cows graze .", "this cows graze ."},
                {"in the morning , the sailors swim , and the fish swims .", "in the morning , the sailors swim , and the fish swims ?"},
        };
        for (String[] p : pairs) {
            assertThat(oracle.isValid(w(p[0]), true)).as(p[0]).isTrue();
            assertThat(oracle.isValid(w(p[1]), true)).as(p[1]).isFalse();
        }
        // Nouns with one form for both numbers agree with either verb form.
        assertThat(oracle.isValid(w("the sheep sleeps ."), true)).isTrue();
        assertThat(oracle.isValid(w("the sheep sleep ."), true)).isTrue();
        // A prefix can be valid where the complete document is not.
        assertThat(oracle.isValid(w("the farmers sell"), false)).isTrue();
        assertThat(oracle.isValid(w("the farmers sell"), true)).isFalse();
    }

    @Test
    void theTopicColoursWordChoiceAcrossSentences() {
        double onTopic = oracle.score(w("the sailors catch the fish . the captain mends the nets ."), true).logProb();
        double mixed = oracle.score(w("the sailors catch the fish . the hunter mends the nets ."), true).logProb();
        assertThat(oracle.isValid(w("the sailors catch the fish . the hunter mends the nets ."), true)).isTrue();
        // captain: 0.70 · (1/6) / 2.59 of the sea agents; hunter, off topic: 0.05/3 · 1 / 2.59 — log 7 ≈ 1.95 nats.
        assertThat(onTopic - mixed).isCloseTo(Math.log(7.0), within(0.1));
    }

    @Test
    void continuationScoresAreDifferencesOfPrefixScores() {
        OracleDocument d = oracle.document(6, 2);
        int cut = d.size() / 2;
        OracleScore whole = oracle.score(d.words(), true), head = oracle.score(d.prefix(cut), false);
        OracleScore tail = oracle.scoreContinuation(d.prefix(cut), d.suffix(cut), true);
        assertThat(tail.logProb()).isCloseTo(whole.logProb() - head.logProb(), within(1e-9));
        assertThat(tail.tokens()).isEqualTo(d.size() - cut + 1);
        assertThat(tail.valid()).isTrue();
        OracleScore broken = oracle.scoreContinuation(d.prefix(cut), List.of("zebra", "."), true);
        assertThat(broken.valid()).isFalse();
        assertThat(broken.firstInvalid()).isZero();
    }

    @Test
    void perTokenNllOfSamplesMatchesTheEntropyRate() {
        PathEntropy exact = PathEntropy.of(oracle.grammar());
        int n = 4000;
        double pathNll = 0, pathSq = 0, tokens = 0;
        for (OracleDocument d : oracle.documents(10, n)) {
            pathNll -= d.pathLogProb();
            pathSq += d.pathLogProb() * d.pathLogProb();
            tokens += d.size() + 1;
        }
        // The sampler and the exact expectation agree (4 standard errors).
        double mean = pathNll / n, sd = Math.sqrt(pathSq / n - mean * mean);
        assertThat(mean).isCloseTo(exact.pathEntropy(), within(4 * sd / Math.sqrt(n)));
        assertThat(tokens / n).isCloseTo(exact.expectedTokens(), within(0.1 * exact.expectedTokens()));
        // The forward NLL of samples sits just under the path entropy: the path is nearly determined by the words.
        double rate = oracle.entropyRate(10, n);
        assertThat(rate).isCloseTo(exact.perToken(), within(0.05));
        assertThat(rate).isBetween(2.0, 3.2);
    }

    @Test
    void modelTextMapsBackToWordsBySplittingOnWhitespace() {
        assertThat(OracleLanguage.words("  the farmers\n sell\tapples . ")).containsExactly("the", "farmers", "sell", "apples", ".");
        assertThat(OracleLanguage.words("   ")).isEmpty();
        assertThat(OracleLanguage.text(List.of("the", "cows", "graze", "."))).isEqualTo("the cows graze .");
        OracleScore glued = oracle.score(w("the cows graze near the river."), true);
        assertThat(glued.valid()).as("'river.' is not a word").isFalse();
        assertThat(oracle.vocabulary().id("river.")).isEqualTo(oracle.vocabulary().unknown());
    }

    @Test
    void epsilonSetsThePriceOfAnInvalidWord() {
        List<String> bad = w("the cows zebra graze .");
        double small = OracleLanguage.english().withEpsilon(1e-6).score(bad, true).logProb();
        double large = OracleLanguage.english().withEpsilon(1e-2).score(bad, true).logProb();
        assertThat(small).isFinite().isLessThan(large - 5);
    }
}
