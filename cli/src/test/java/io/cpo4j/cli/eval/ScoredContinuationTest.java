package io.cpo4j.cli.eval;

import io.cpo4j.cli.oracle.OracleDocument;
import io.cpo4j.cli.oracle.OracleLanguage;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ScoredContinuationTest {

    private final OracleLanguage oracle = OracleLanguage.english();

    /** Per "training seed" s, 40 prompts from documents s·1000, s·1000 + 1, …; the same prompts for every method. */
    private List<List<ScoredContinuation>> method(Function<OracleDocument, List<String>> candidate) {
        List<List<ScoredContinuation>> seeds = new ArrayList<>();
        for (int s = 0; s < 2; s++) {
            List<ContinuationSample> samples = new ArrayList<>();
            for (long i = 1000L * s; samples.size() < 40; i++) {
                OracleDocument d = oracle.document(20, i);
                if (d.size() >= 8) samples.add(new ContinuationSample(d.prefix(6), d.suffix(6), candidate.apply(d), true));
            }
            seeds.add(ScoredContinuation.all(oracle, samples));
        }
        return seeds;
    }

    @Test
    void wordSaladAgainstTheTruthOnTheOracleMetrics() {
        List<List<ScoredContinuation>> truth = method(d -> d.suffix(6)), salad = method(d -> List.of("zebra", "zebra", "the", "."));
        PairedItems.requireSamePrompts(salad, truth, s -> s.sample().prompt());
        PairedComparison<ScoredContinuation> cmp = new PairedComparison<>("truth", truth, List.of(
                ScoredContinuation.oracleNll(3), ScoredContinuation.validity(3),
                ScoredContinuation.winRateVsTruth(3), ScoredContinuation.lengthRatio(2)), 1)
                .headToHead("win rate vs truth model", ScoredContinuation::judge)
                .arm("salad", salad);
        PairedComparison.Arm arm = cmp.arms().get(0);
        PairedDifference nll = arm.differences().get(0), valid = arm.differences().get(1), vsTruth = arm.differences().get(2), length = arm.differences().get(3);
        assertThat(nll.arm()).isGreaterThan(8);
        assertThat(nll.baseline()).isCloseTo(oracle.entropyRate(20, 400), within(0.4));
        assertThat(nll.low()).isGreaterThan(4);
        assertThat(List.of(valid.arm(), valid.baseline(), valid.low(), valid.high())).containsExactly(0.0, 1.0, -1.0, -1.0);
        assertThat(List.of(vsTruth.arm(), vsTruth.baseline(), vsTruth.difference())).containsExactly(0.0, 0.5, -0.5);
        assertThat(arm.headToHead().losses()).isEqualTo(80);
        assertThat(arm.headToHead().rate().high()).isZero();

        // the same Σ nats / Σ tokens as OracleMetrics on each seed's samples pooled
        List<ContinuationSample> pooled = new ArrayList<>();
        double truthWords = 0;
        for (List<ScoredContinuation> seed : salad) {
            for (ScoredContinuation s : seed) {
                pooled.add(s.sample());
                truthWords += s.sample().truth().size();
            }
        }
        assertThat(nll.arm()).isCloseTo(OracleMetrics.of(oracle, pooled, 1).oracleNll().estimate(), within(1e-12));
        assertThat(length.arm()).isCloseTo(4 * 80 / truthWords, within(1e-12));
        assertThat(length.baseline()).isEqualTo(1.0);
        assertThat(cmp.table().markdown()).startsWith(
                "| method | oracle NLL ↓ | valid ↑ | win rate vs truth ↑ | length ratio | win rate vs truth model ↑ |\n");
    }
}
