package io.cpo4j.cli.eval;

import io.cpo4j.cli.oracle.OracleDocument;
import io.cpo4j.cli.oracle.OracleLanguage;
import io.cpo4j.engine.io.Json;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class OracleMetricsTest {

    private final OracleLanguage oracle = OracleLanguage.english();

    private List<ContinuationSample> samples(java.util.function.Function<OracleDocument, List<String>> candidate, boolean ended) {
        List<ContinuationSample> out = new ArrayList<>();
        for (long i = 0; out.size() < 200; i++) {
            OracleDocument d = oracle.document(20, i);
            if (d.size() >= 8) out.add(new ContinuationSample(d.prefix(6), d.suffix(6), candidate.apply(d), ended));
        }
        return out;
    }

    @Test
    void theTruthAgainstItselfTiesEverywhereAndScoresTheEntropyRate() {
        OracleMetrics m = OracleMetrics.of(oracle, samples(d -> d.suffix(6), true), 1);
        assertThat(m.samples()).isEqualTo(200);
        assertThat(m.validity().estimate()).isEqualTo(1.0);
        assertThat(m.winRate().ties()).isEqualTo(200);
        assertThat(m.winRate().rate().estimate()).isEqualTo(0.5);
        assertThat(m.length().ratio()).isEqualTo(1.0);
        assertThat(m.oracleNll().estimate()).isCloseTo(oracle.entropyRate(20, 400), within(0.3));
        assertThat(m.oracleNll().low()).isLessThan(m.oracleNll().estimate());
        assertThat(m.repetition().get(4)).isBetween(0.0, 0.1);
        assertThat(m.distinct().get(1)).isBetween(0.0, 1.0);
    }

    @Test
    void wordSaladIsInvalidAndLoses() {
        OracleMetrics m = OracleMetrics.of(oracle, samples(d -> List.of("zebra", "zebra", "the", "."), true), 1);
        assertThat(m.validity().estimate()).isZero();
        assertThat(m.validity().high()).isLessThan(0.03);
        assertThat(m.winRate().losses()).isEqualTo(200);
        assertThat(m.oracleNll().estimate()).isGreaterThan(8);
        assertThat(m.repetition().get(1)).isCloseTo(0.25, within(1e-12));
        assertThat(m.distinct().get(2)).isCloseTo(3.0 / 600, within(1e-12));
    }

    @Test
    void aCandidateCutAtTheLengthLimitIsNotScoredForEnding() {
        // The truth minus its last word: as a finished document invalid, as a cut-off one valid.
        OracleMetrics cut = OracleMetrics.of(oracle, samples(d -> d.words().subList(6, d.size() - 1), false), 1);
        OracleMetrics ended = OracleMetrics.of(oracle, samples(d -> d.words().subList(6, d.size() - 1), true), 1);
        assertThat(cut.validity().estimate()).isEqualTo(1.0);
        assertThat(ended.validity().estimate()).isZero();
        assertThat(cut.length().shorterFraction()).isEqualTo(1.0);
    }

    @Test
    void lengthStatsAreItemByItem() {
        LengthStats s = LengthStats.of(List.of(List.of(1, 2), List.of(1, 2, 3, 4, 5), List.of(1, 2, 3)),
                List.of(List.of(1, 2, 3, 4), List.of(1, 2, 3, 4), List.of(1, 2, 3)));
        assertThat(s.meanCandidate()).isCloseTo(10.0 / 3, within(1e-15));
        assertThat(s.meanReference()).isCloseTo(11.0 / 3, within(1e-15));
        assertThat(s.ratio()).isCloseTo(10.0 / 11, within(1e-15));
        assertThat(s.meanAbsoluteDifference()).isCloseTo(1.0, within(1e-15));
        assertThat(s.shorterFraction()).isCloseTo(1.0 / 3, within(1e-15));
    }

    @Test
    void theSweepIsFourTemperaturesAndGreedy() {
        assertThat(Decoding.SWEEP).extracting(Decoding::name).containsExactly("T=0.70", "T=0.85", "T=1.00", "T=1.15", "greedy");
        assertThat(Decoding.SWEEP).extracting(Decoding::temperature).containsExactly(0.7, 0.85, 1.0, 1.15, 0.0);
        assertThat(Decoding.GREEDY.greedy()).isTrue();
        assertThat(Decoding.temperature(1.0).greedy()).isFalse();
    }

    @Test
    void theTableRendersMarkdownAndJson(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        OracleMetrics m = OracleMetrics.of(oracle, samples(d -> d.suffix(6), true), 1);
        Interval coverage = Coverage.perOracleToken(new double[] {30, 50}, new int[] {10, 10}, 3);
        assertThat(coverage.estimate()).isEqualTo(4.0);
        EvalTable table = new EvalTable()
                .add(new EvalRow("mle", Decoding.temperature(0.7), m, coverage))
                .add(new EvalRow("mle", Decoding.GREEDY, m, null));
        String md = table.markdown();
        assertThat(md.lines()).hasSize(4);
        assertThat(md).contains("| mle | T=0.70 | " + m.oracleNll().format(3) + " | " + coverage.format(3) + " | 1.000 [");
        assertThat(md.lines().toList().get(3)).startsWith("| mle | greedy | ").contains(" | — | ");
        Path file = dir.resolve("eval.json");
        table.writeJson(file);
        Map<String, Object> json = Json.parseObject(Files.readString(file), "eval.json");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rows = (List<Map<String, Object>>) json.get("rows");
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0)).containsEntry("model", "mle").containsEntry("decoding", "T=0.70").containsEntry("samples", 200L);
        assertThat(rows.get(1)).containsEntry("coverage_nll", null).containsEntry("temperature", 0.0);
    }
}
