package io.cpo4j.cli.eval;

import io.cpo4j.cli.judge.Preference;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.cpo4j.cli.judge.Preference.A;
import static io.cpo4j.cli.judge.Preference.B;
import static io.cpo4j.cli.judge.Preference.TIE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class HeadToHeadTest {

    @Test
    void winsTiesAndLossesGiveTheRate() {
        // seed 0: win, win, loss, tie; seed 1: win, loss → (3 + ½) / 6
        WinRate h = HeadToHead.of(List.of(List.of(A, A, B, TIE), List.of(A, B)), 1);
        assertThat(h.wins()).isEqualTo(3);
        assertThat(h.ties()).isEqualTo(1);
        assertThat(h.losses()).isEqualTo(2);
        assertThat(h.n()).isEqualTo(6);
        assertThat(h.rate().estimate()).isEqualTo(3.5 / 6);
        assertThat(h.rate().method()).isEqualTo("cluster-bootstrap");
        assertThat(h.rate().low()).isBetween(0.0, 3.5 / 6);
        assertThat(h.rate().high()).isBetween(3.5 / 6, 1.0);
        assertThat(h.excludesHalf()).isFalse();
        WinRate all = HeadToHead.of(List.of(List.of(A, A), List.of(A)), 1);
        assertThat(all.rate()).isEqualTo(new Interval(1, 1, 1, "cluster-bootstrap"));
        assertThat(all.excludesHalf()).isTrue();
    }

    @Test
    void theIntervalIsClusteredBySeed() {
        // one prompt per seed, seed 0 won, seed 1 lost. Seeds then prompts: the resample holds
        // seed 0 twice (¼: rate 1), seed 1 twice (¼: rate 0) or both (½: rate ½) → [0, 1].
        // Prompts within seeds: always both → [½, ½].
        List<List<Preference>> verdicts = List.of(List.of(A), List.of(B));
        WinRate clustered = HeadToHead.of(verdicts, 2000, 0.95, 4, Clustering.SEEDS_THEN_PROMPTS);
        WinRate prompts = HeadToHead.of(verdicts, 2000, 0.95, 4, Clustering.PROMPTS_WITHIN_SEEDS);
        assertThat(clustered.rate()).isEqualTo(new Interval(0.5, 0, 1, "cluster-bootstrap"));
        assertThat(prompts.rate()).isEqualTo(new Interval(0.5, 0.5, 0.5, "cluster-bootstrap"));
    }

    @Test
    void scoresAndPreferencesAgree() {
        WinRate fromScores = HeadToHead.ofScores(List.of(new double[] {1, 1, 0, 0.5}, new double[] {1, 0}), 1);
        assertThat(fromScores).isEqualTo(HeadToHead.of(List.of(List.of(A, A, B, TIE), List.of(A, B)), 1));
        assertThatThrownBy(() -> HeadToHead.ofScores(List.of(new double[] {1, 0.7}), 1))
                .hasMessage("head to head: seed 0, prompt 1: score 0.7 (must be 1, 0.5 or 0)");
    }

    @Test
    void byValueComparesEachItemInTheBetterDirection() {
        // NLL per token, lower is better: arm 4/2 = 2 vs 3/1 = 3 (win), 6/2 = 3 vs 2/1 = 2 (loss),
        // 5/2 = 2.5 vs 5/2 (tie); seed 1: 1/1 vs 4/2 (win) → (2 + ½) / 4
        PairedItems nll = PairedItems.ratio(
                List.of(new double[] {4, 6, 5}, new double[] {1}), List.of(new double[] {2, 2, 2}, new double[] {1}),
                List.of(new double[] {3, 2, 5}, new double[] {4}), List.of(new double[] {1, 1, 2}, new double[] {2}));
        WinRate lower = HeadToHead.byValue(nll, Better.LOWER, 1);
        assertThat(List.of(lower.wins(), lower.ties(), lower.losses())).containsExactly(2, 1, 1);
        assertThat(lower.rate().estimate()).isEqualTo(0.625);
        WinRate higher = HeadToHead.byValue(nll, Better.HIGHER, 1);
        assertThat(List.of(higher.wins(), higher.ties(), higher.losses())).containsExactly(1, 1, 2);
        assertThat(higher.rate().estimate()).isCloseTo(0.375, within(1e-15));
        assertThatThrownBy(() -> HeadToHead.byValue(nll, Better.NEITHER, 1))
                .hasMessage("head to head: a metric without a better direction has no winner");
    }

    @Test
    void mismatchedShapesAreRefused() {
        assertThatThrownBy(() -> HeadToHead.byValue(PairedItems.plain(List.of(new double[] {1}), List.of(new double[] {1, 2})), Better.LOWER, 1))
                .hasMessage("paired items: seed 0 has 1 arm prompts but 2 baseline prompts");
        assertThatThrownBy(() -> HeadToHead.of(List.of(), 1)).hasMessage("item values: no seeds");
    }
}
