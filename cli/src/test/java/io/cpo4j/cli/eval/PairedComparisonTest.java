package io.cpo4j.cli.eval;

import io.cpo4j.cli.judge.Preference;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class PairedComparisonTest {

    /** One scored continuation: its oracle NLL in nats over its tokens, and whether it is valid. */
    record Scored(double nats, int tokens, boolean valid) {
        double perToken() {
            return nats / tokens;
        }
    }

    private static final List<List<Scored>> MLE = List.of(
            List.of(new Scored(6, 3, true), new Scored(4, 2, false), new Scored(9, 3, true)),
            List.of(new Scored(2, 1, true), new Scored(8, 4, true), new Scored(3, 3, false)));

    /** Half a nat less per token on every item, and always valid. */
    private static List<List<Scored>> better() {
        List<List<Scored>> out = new ArrayList<>();
        for (List<Scored> seed : MLE) out.add(seed.stream().map(s -> new Scored(s.nats() - 0.5 * s.tokens(), s.tokens(), true)).toList());
        return out;
    }

    private static final List<PairedComparison.Metric<Scored>> METRICS = List.of(
            PairedComparison.Metric.ratio("oracle NLL", Better.LOWER, 3, Scored::nats, Scored::tokens),
            PairedComparison.Metric.plain("valid", Better.HIGHER, 3, s -> s.valid() ? 1 : 0));

    private static Preference lowerNll(Scored arm, Scored baseline) {
        return arm.perToken() < baseline.perToken() ? Preference.A : arm.perToken() > baseline.perToken() ? Preference.B : Preference.TIE;
    }

    @Test
    void everyArmAgainstTheBaselineOnEveryMetric() {
        PairedComparison<Scored> cmp = new PairedComparison<>("MLE", MLE, METRICS, 5)
                .headToHead("win rate vs MLE", PairedComparisonTest::lowerNll)
                .arm("CPO", better())
                .arm("MLE again", MLE);
        // MLE: 32 nats / 16 tokens = 2.0, valid 4 / 6; CPO: 24 / 16 = 1.5, valid 1
        assertThat(cmp.baselineEstimates()).containsExactly(2.0, 4.0 / 6);
        PairedComparison.Arm cpo = cmp.arms().get(0);
        PairedDifference nll = cpo.differences().get(0);
        assertThat(nll.arm()).isEqualTo(1.5);
        assertThat(nll.difference()).isEqualTo(-0.5);
        assertThat(nll.low()).isCloseTo(-0.5, within(1e-12));
        assertThat(nll.high()).isCloseTo(-0.5, within(1e-12));
        assertThat(cpo.differences().get(1).difference()).isCloseTo(1 - 4.0 / 6, within(1e-15));
        assertThat(cpo.headToHead().wins()).isEqualTo(6);
        assertThat(cpo.headToHead().rate().low()).isEqualTo(1.0);
        PairedComparison.Arm same = cmp.arms().get(1);
        assertThat(same.differences().get(0).high()).isZero();
        assertThat(same.headToHead().ties()).isEqualTo(6);

        // the same numbers as the building blocks called by hand
        PairedDifference valid = PairedBootstrap.difference(
                PairedItems.of(better(), MLE, s -> s.valid() ? 1 : 0), 5);
        assertThat(cpo.differences().get(1)).isEqualTo(valid);
        String validCell = PairedTable.Cell.paired(valid).format(3);
        assertThat(cmp.table().markdown()).isEqualTo("| method | oracle NLL ↓ | valid ↑ | win rate vs MLE ↑ |\n"
                + "|---|---|---|---|\n"
                + "| MLE | 2.000 | 0.667 | — |\n"
                + "| CPO | **1.500 (-0.500 [-0.500, -0.500])** | " + validCell + " | **1.000 [1.000, 1.000]** |\n"
                + "| MLE again | 2.000 (+0.000 [+0.000, +0.000]) | 0.667 (+0.000 [+0.000, +0.000]) | 0.500 [0.500, 0.500] |\n");

        Map<String, Object> json = cmp.toJson();
        assertThat(json.get("baseline")).isEqualTo("MLE");
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> arms = (Map<String, Map<String, Object>>) json.get("arms");
        assertThat(arms.keySet()).containsExactly("CPO", "MLE again");
        assertThat(arms.get("CPO").keySet()).containsExactly("oracle NLL", "valid", "win rate vs MLE");
        assertThat(arms.get("CPO").get("oracle NLL")).isEqualTo(nll.toJson());
    }

    @Test
    void armsOfAnotherShapeAreRefused() {
        PairedComparison<Scored> cmp = new PairedComparison<>("MLE", MLE, METRICS, 5);
        assertThatThrownBy(() -> cmp.arm("CPO", better().subList(0, 1)))
                .hasMessage("paired items: the arm has 1 seeds but the baseline 2");
        PairedComparison<Scored> judged = new PairedComparison<>("MLE", MLE, List.<PairedComparison.Metric<Scored>>of(), 5)
                .headToHead("win rate", PairedComparisonTest::lowerNll);
        assertThatThrownBy(() -> judged.arm("CPO", List.of(MLE.get(0), MLE.get(1).subList(0, 2))))
                .hasMessage("paired comparison: seed 1 has 2 prompts for CPO but 3 for MLE");
        assertThatThrownBy(() -> new PairedComparison<>("MLE", MLE, METRICS, 5).arm("CPO", MLE).headToHead("w", PairedComparisonTest::lowerNll))
                .hasMessage("paired comparison: add the head-to-head column before the arms");
    }
}
