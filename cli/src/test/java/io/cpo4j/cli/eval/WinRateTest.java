package io.cpo4j.cli.eval;

import io.cpo4j.cli.judge.Judge;
import io.cpo4j.cli.judge.PairItem;
import io.cpo4j.cli.judge.Preference;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.cpo4j.cli.judge.Preference.A;
import static io.cpo4j.cli.judge.Preference.B;
import static io.cpo4j.cli.judge.Preference.TIE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class WinRateTest {

    @Test
    void tiesCountHalf() {
        WinRate w = WinRate.of(List.of(A, A, B, TIE));
        assertThat(w.wins()).isEqualTo(2);
        assertThat(w.ties()).isEqualTo(1);
        assertThat(w.losses()).isEqualTo(1);
        assertThat(w.n()).isEqualTo(4);
        assertThat(w.rate().estimate()).isEqualTo(0.625);
        assertThat(w.rate()).isEqualTo(Interval.wilson95(2.5, 4));
        assertThat(WinRate.of(List.of(TIE, TIE)).rate().estimate()).isEqualTo(0.5);
    }

    @Test
    void asksTheJudgeWithTheCandidateFirst() throws Exception {
        Judge longerWins = new Judge() {
            @Override
            public Preference judge(String prompt, String a, String b) {
                return a.length() == b.length() ? TIE : a.length() > b.length() ? A : B;
            }

            @Override
            public String name() {
                return "longer";
            }
        };
        List<PairItem> items = List.of(new PairItem("p", "long one", "short"), new PairItem("p", "x", "yy"), new PairItem("p", "zz", "zz"));
        WinRate w = WinRate.judge(longerWins, items);
        assertThat(List.of(w.wins(), w.ties(), w.losses())).containsExactly(1, 1, 1);
        assertThat(w.rate().estimate()).isCloseTo(0.5, within(1e-15));
    }
}
