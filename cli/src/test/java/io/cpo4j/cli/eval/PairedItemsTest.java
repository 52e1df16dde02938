package io.cpo4j.cli.eval;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PairedItemsTest {

    private static final double[] TWO = {1, 2}, THREE = {1, 2, 3};

    @Test
    void mismatchedShapesAreRefusedWithTheirPosition() {
        assertThatThrownBy(() -> PairedItems.plain(List.of(TWO, TWO), List.of(TWO)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("paired items: the arm has 2 seeds but the baseline 1");
        assertThatThrownBy(() -> PairedItems.plain(List.of(TWO, THREE), List.of(TWO, TWO)))
                .hasMessage("paired items: seed 1 has 3 arm prompts but 2 baseline prompts");
        assertThatThrownBy(() -> PairedItems.ratio(List.of(TWO), List.of(THREE), List.of(TWO), List.of(TWO)))
                .hasMessage("item values: seed 0 has 2 numerators but 3 denominators");
        assertThatThrownBy(() -> PairedItems.ratio(List.of(TWO), List.of(TWO, TWO), List.of(TWO), List.of(TWO)))
                .hasMessage("item values: 1 seeds of numerators but 2 of denominators");
        assertThatThrownBy(() -> PairedItems.plain(List.of(), List.of()))
                .hasMessage("item values: no seeds");
        assertThatThrownBy(() -> PairedItems.plain(List.of(TWO, new double[0]), List.of(TWO, new double[0])))
                .hasMessage("item values: seed 1 has no prompts");
        assertThatThrownBy(() -> PairedItems.ratio(List.of(TWO), List.of(new double[] {1, 0}), List.of(TWO), List.of(TWO)))
                .hasMessage("item values: seed 0, prompt 1: denominator 0.0 (must be finite and > 0)");
        assertThatThrownBy(() -> PairedItems.plain(List.of(new double[] {Double.NaN}), List.of(new double[] {1})))
                .hasMessage("item values: seed 0, prompt 0: numerator NaN");
    }

    @Test
    void differentPromptsAreRefused() {
        List<List<String>> arm = List.of(List.of("a", "b"), List.of("c")), same = List.of(List.of("a", "b"), List.of("c"));
        PairedItems.requireSamePrompts(arm, same, s -> s);
        assertThatThrownBy(() -> PairedItems.requireSamePrompts(arm, List.of(List.of("a", "b"), List.of("d")), s -> s))
                .hasMessage("paired items: seed 1, prompt 0: the arm's prompt differs from the baseline's");
        assertThatThrownBy(() -> PairedItems.requireSamePrompts(arm, List.of(List.of("a"), List.of("c")), s -> s))
                .hasMessage("paired items: seed 0 has 2 arm prompts but 1 baseline prompts");
    }

    @Test
    void badSettingsAreRefused() {
        PairedItems items = PairedItems.plain(List.of(TWO), List.of(TWO));
        assertThatThrownBy(() -> PairedBootstrap.difference(items, 0, 0.95, 1, Clustering.SEEDS_THEN_PROMPTS))
                .hasMessage("paired bootstrap: resamples 0 (must be ≥ 1)");
        assertThatThrownBy(() -> PairedBootstrap.difference(items, 100, 1.0, 1, Clustering.SEEDS_THEN_PROMPTS))
                .hasMessage("paired bootstrap: level 1.0 (must be in (0, 1))");
    }
}
