package io.cpo4j.cli.judge;

import io.cpo4j.cli.oracle.OracleDocument;
import io.cpo4j.cli.oracle.OracleLanguage;
import io.cpo4j.cli.oracle.OracleScore;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class OracleJudgeTest {

    private final OracleLanguage oracle = OracleLanguage.english();
    private final OracleJudge judge = new OracleJudge(oracle);

    @Test
    void grammaticalBeatsUngrammaticalWhicheverSideItIsOn() {
        String prompt = "the old farmers";
        String good = "sell two red apples near the river .", bad = "sells two red apples near the river .";
        assertThat(judge.judge(prompt, good, bad)).isEqualTo(Preference.A);
        assertThat(judge.judge(prompt, bad, good)).isEqualTo(Preference.B);
        assertThat(judge.judge(prompt, good, good)).isEqualTo(Preference.TIE);
    }

    @Test
    void comparesLogProbabilityPerTokenNotInTotal() {
        // A long valid continuation has a far lower total log-probability than a short one, but may win per token.
        OracleScore shortButUnlikely = new OracleScore(-10, 2, true, -1);  // −5 per token
        OracleScore longButLikely = new OracleScore(-40, 20, true, -1);    // −2 per token
        assertThat(OracleJudge.compare(longButLikely, shortButUnlikely)).isEqualTo(Preference.A);
        assertThat(OracleJudge.compare(shortButUnlikely, longButLikely)).isEqualTo(Preference.B);
        assertThat(OracleJudge.compare(new OracleScore(-4, 2, true, -1), new OracleScore(-6, 3, true, -1))).isEqualTo(Preference.TIE);
    }

    @Test
    void theTruthAgainstAShuffleOfItselfWins() {
        int wins = 0, n = 100;
        for (OracleDocument d : oracle.documents(30, n)) {
            List<String> prompt = d.prefix(4), truth = d.suffix(4);
            List<String> shuffled = new java.util.ArrayList<>(truth);
            java.util.Collections.shuffle(shuffled, new java.util.Random(d.size()));
            Preference p = judge.judge(prompt, truth, shuffled);
            if (p == Preference.A) wins++;
        }
        // Ties happen only when the shuffle leaves the continuation unchanged (very short truths).
        assertThat(wins).isGreaterThan(85);
    }
}
