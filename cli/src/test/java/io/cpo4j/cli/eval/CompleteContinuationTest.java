package io.cpo4j.cli.eval;

import io.cpo4j.cli.judge.Preference;
import io.cpo4j.cli.oracle.OracleDocument;
import io.cpo4j.cli.oracle.OracleLanguage;
import io.cpo4j.cli.oracle.OracleScore;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/** The primary metric, {@link ScoredContinuation#complete()}, and the judge between two models' continuations. */
class CompleteContinuationTest {

    private final OracleLanguage oracle = OracleLanguage.english();

    private List<ScoredContinuation> outcomes(Function<OracleDocument, List<String>> candidate, boolean ended) {
        List<ContinuationSample> samples = new ArrayList<>();
        for (long i = 0; samples.size() < 100; i++) {
            OracleDocument d = oracle.document(20, i);
            if (d.size() >= 8) samples.add(new ContinuationSample(d.prefix(6), d.suffix(6), candidate.apply(d), ended));
        }
        return ScoredContinuation.all(oracle, samples);
    }

    @Test
    void theTruthIsCompleteAndTiesWithItself() {
        List<ScoredContinuation> truth = outcomes(d -> d.suffix(6), true);
        assertThat(truth).hasSize(100).allSatisfy(o -> {
            assertThat(o.complete()).isTrue();
            assertThat(o.againstTruth().scoreForA()).isEqualTo(0.5);
            assertThat(o.sample().candidate()).isEqualTo(o.sample().truth());
        });
    }

    @Test
    void aValidContinuationCutAtTheLimitIsNotComplete() {
        // all but the last word: valid as far as it goes, but the model did not end it
        List<ScoredContinuation> cut = outcomes(d -> d.words().subList(6, d.size() - 1), false);
        assertThat(cut).allSatisfy(o -> {
            assertThat(o.candidate().valid()).isTrue();
            assertThat(o.complete()).isFalse();
        });
        // the same words ended there stop mid-sentence: ended, but not a document of the language
        List<ScoredContinuation> ended = outcomes(d -> d.words().subList(6, d.size() - 1), true);
        assertThat(ended).allSatisfy(o -> assertThat(o.complete()).isFalse());
    }

    @Test
    void wordSaladIsNeverCompleteAndLosesHeadToHeadAgainstTheTruth() {
        List<ScoredContinuation> salad = outcomes(d -> List.of("zebra", "zebra", "the", "."), true);
        List<ScoredContinuation> truth = outcomes(d -> d.suffix(6), true);
        for (int i = 0; i < salad.size(); i++) {
            assertThat(salad.get(i).complete()).isFalse();
            assertThat(salad.get(i).againstTruth()).isEqualTo(Preference.B);
            assertThat(ScoredContinuation.judge(salad.get(i), truth.get(i))).isEqualTo(Preference.B);
            assertThat(ScoredContinuation.judge(truth.get(i), salad.get(i))).isEqualTo(Preference.A);
        }
    }

    @Test
    void completenessCreditsCompleteContinuationsByHowWellTheirLengthMatchesTheTruths() {
        OracleScore valid = new OracleScore(-10, 5, true, -1), invalid = new OracleScore(-30, 5, false, 2);
        List<String> truth = java.util.Collections.nCopies(8, "w");
        java.util.function.BiFunction<Integer, Boolean, ContinuationSample> sample =
                (words, ended) -> new ContinuationSample(List.of("p"), truth, java.util.Collections.nCopies(words, "w"), ended);
        assertThat(new ScoredContinuation(sample.apply(8, true), valid, valid).completeness()).isEqualTo(1.0);
        assertThat(new ScoredContinuation(sample.apply(2, true), valid, valid).completeness()).isEqualTo(0.25);      // short: L / T
        assertThat(new ScoredContinuation(sample.apply(16, true), valid, valid).completeness()).isEqualTo(0.5);      // long: T / L
        assertThat(new ScoredContinuation(sample.apply(8, false), valid, valid).completeness()).isZero();           // cut at the limit
        assertThat(new ScoredContinuation(sample.apply(8, true), invalid, valid).completeness()).isZero();          // not a document
    }

    @Test
    void theTruthScoresFullCompleteness() {
        assertThat(outcomes(d -> d.suffix(6), true)).allSatisfy(o -> assertThat(o.completeness()).isEqualTo(1.0));
    }
}
