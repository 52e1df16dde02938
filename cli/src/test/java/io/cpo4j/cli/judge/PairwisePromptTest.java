package io.cpo4j.cli.judge;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PairwisePromptTest {

    @Test
    void readsTheUsualShapesOfAnAnswer() {
        for (String a : new String[] {"A", "a", " A. ", "**A**", "\"A\"", "(A)", "Answer: A", "Continuation A", "A\nbecause it is fluent"}) {
            assertThat(PairwisePrompt.parse(a)).as(a).contains(Preference.A);
        }
        for (String b : new String[] {"B", "b!", "`B`", "answer is B"}) assertThat(PairwisePrompt.parse(b)).as(b).contains(Preference.B);
        for (String t : new String[] {"tie", "Tie.", "TIE", "equal"}) assertThat(PairwisePrompt.parse(t)).as(t).contains(Preference.TIE);
        for (String x : new String[] {"", "I think both are bad", "AB", "A or B"}) assertThat(PairwisePrompt.parse(x)).as(x).isEmpty();
    }

    @Test
    void thePromptShowsBothContinuationsInOrder() {
        String u = PairwisePrompt.user("once upon", "first text", "second text");
        assertThat(u.indexOf("once upon")).isLessThan(u.indexOf("first text"));
        assertThat(u.indexOf("Continuation A:\nfirst text")).isLessThan(u.indexOf("Continuation B:\nsecond text"));
        assertThat(u).endsWith("Answer with exactly one word: A, B, or tie.");
    }

    @Test
    void preferencesSwapAndScore() {
        assertThat(Preference.A.swapped()).isEqualTo(Preference.B);
        assertThat(Preference.TIE.swapped()).isEqualTo(Preference.TIE);
        assertThat(Preference.A.scoreForA()).isEqualTo(1.0);
        assertThat(Preference.B.scoreForA()).isEqualTo(0.0);
        assertThat(Preference.TIE.scoreForA()).isEqualTo(0.5);
    }
}
