package io.cpo4j.cli.eval;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class NgramsTest {

    private final List<List<String>> samples = List.of(List.of("a", "b", "a", "b", "a"), List.of("c", "d", "e"), List.of("x"));

    @Test
    void repetitionIsTheMeanFractionOfRepeatedNgramsPerSequence() {
        // rep-1: 1 − 2/5, 1 − 3/3, 1 − 1/1 → (0.6 + 0 + 0) / 3
        assertThat(Ngrams.repetition(samples, 1)).isCloseTo(0.2, within(1e-15));
        // rep-2: "a b a b a" has ab, ba, ab, ba → 1 − 2/4; "c d e" → 0; "x" has no bigram and is left out
        assertThat(Ngrams.repetition(samples, 2)).isCloseTo(0.25, within(1e-15));
        // rep-3: aba, bab, aba → 1 − 2/3; cde → 0
        assertThat(Ngrams.repetition(samples, 3)).isCloseTo(1.0 / 6, within(1e-15));
        assertThat(Ngrams.repetition(samples, 6)).isZero();
        assertThat(Ngrams.repetition(List.of(List.of("y", "y", "y", "y")), 1)).isCloseTo(0.75, within(1e-15));
    }

    @Test
    void distinctIsUniqueOverTotalNgramsPooledOverSequences() {
        // 9 tokens, 6 different
        assertThat(Ngrams.distinct(samples, 1)).isCloseTo(6.0 / 9, within(1e-15));
        // ab, ba, ab, ba, cd, de → 4 different of 6
        assertThat(Ngrams.distinct(samples, 2)).isCloseTo(4.0 / 6, within(1e-15));
        // the same sample twice halves distinct-n
        assertThat(Ngrams.distinct(List.of(List.of("c", "d", "e"), List.of("c", "d", "e")), 2)).isCloseTo(0.5, within(1e-15));
        assertThat(Ngrams.distinct(List.of(), 2)).isZero();
    }

    @Test
    void tokenIdsWorkTheSameWay() {
        List<List<Integer>> ids = Ngrams.ofIds(List.of(new int[] {1, 2, 1, 2, 1}, new int[] {3, 4, 5}, new int[] {9}));
        assertThat(Ngrams.repetition(ids, 2)).isCloseTo(0.25, within(1e-15));
        assertThat(Ngrams.distinct(ids, 1)).isCloseTo(6.0 / 9, within(1e-15));
        assertThatThrownBy(() -> Ngrams.distinct(ids, 0)).hasMessageContaining("positive");
    }
}
