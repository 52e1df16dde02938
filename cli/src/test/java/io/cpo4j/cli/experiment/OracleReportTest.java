package io.cpo4j.cli.experiment;

import io.cpo4j.cli.eval.Decoding;
import io.cpo4j.cli.eval.ContinuationSample;
import io.cpo4j.cli.eval.ScoredContinuation;
import io.cpo4j.cli.oracle.OracleScore;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class OracleReportTest {

    private static final List<Long> SEEDS = List.of(1L, 2L);
    private static final int PROMPTS = 40;

    /** A complete continuation scores −2 nats per word over 10 words; an invalid one −4 over 10. */
    private static ScoredContinuation outcome(boolean complete) {
        List<String> words = java.util.Collections.nCopies(10, "w");
        ContinuationSample sample = new ContinuationSample(List.of("p"), words, words, true);
        OracleScore truth = new OracleScore(-25, 10, true, -1);
        return complete ? new ScoredContinuation(sample, new OracleScore(-20, 10, true, -1), truth)
                : new ScoredContinuation(sample, new OracleScore(-40, 10, false, 3), truth);
    }

    /** Per seed, the first {@code complete} prompts complete. */
    private static Map<Long, Map<Decoding, List<ScoredContinuation>>> method(int complete) {
        Map<Long, Map<Decoding, List<ScoredContinuation>>> m = new LinkedHashMap<>();
        for (long s : SEEDS) {
            List<ScoredContinuation> list = new ArrayList<>();
            for (int i = 0; i < PROMPTS; i++) list.add(outcome(i < complete));
            m.put(s, Map.of(Decoding.GREEDY, list));
        }
        return m;
    }

    private static OracleProtocol.Result result(int cpoComplete) {
        Map<String, Map<Long, Map<Decoding, List<ScoredContinuation>>>> test = new LinkedHashMap<>();
        test.put("mle", method(10));
        test.put("cpo-an", method(cpoComplete));
        Map<String, Map<Long, Double>> nll = new LinkedHashMap<>();
        Map<String, Map<Long, Map<Decoding, OracleEvaluation.DocumentNll>>> coverage = new LinkedHashMap<>();
        for (String m : test.keySet()) {
            nll.put(m, Map.of(1L, 2.0, 2L, 2.2));
            coverage.put(m, Map.of(1L, Map.of(), 2L, Map.of()));
        }
        List<OracleProtocol.Choice> choices = List.of(new OracleProtocol.Choice("cpo-an", List.of("β 0.1", "β 1"), List.of(0.2, 0.3), 1, "validation"));
        return new OracleProtocol.Result(choices, Map.of(), 2e-4f, "cpo-an", 0.5f, null, test, coverage, nll, Map.of(), 1.5);
    }

    private static OracleProtocol.Settings settings() {
        return new OracleProtocol.Settings(SEEDS, PROMPTS, 10, List.of(2e-4f), List.of(0.5f), List.of(Decoding.GREEDY));
    }

    @Test
    void aClearGainOnThePrimaryMetricIsCalledBetterWithThePairedDifference() {
        String verdict = new OracleReport(result(30), settings(), 7).verdict();
        // 30 of 40 complete against 10 of 40, on every seed: +0.500, and every resample agrees
        assertThat(verdict).contains("40 test prompts × 2 training seeds").contains("`cpo-an`")
                .contains("greedy 0.750 vs 0.250, difference +0.500 [").contains("(CPO better)")
                .contains("Over all 1 (method, decoding) pairs, 1 are better than MLE and 0 worse");
    }

    @Test
    void equalArmsCannotBeToldApart() {
        String verdict = new OracleReport(result(10), settings(), 7).verdict();
        assertThat(verdict).contains("greedy 0.250 vs 0.250, difference +0.000 [+0.000, +0.000] (no difference the test can see)")
                .contains("0 are better than MLE and 0 worse");
    }

    @Test
    void theTableHasThePairedCellsAndTheChoices() {
        String body = new OracleReport(result(30), settings(), 7).body();
        assertThat(body).contains("| method | completeness ↑ | complete ↑ | oracle NLL ↓ | valid ↑ | win rate vs truth ↑ | win rate vs MLE ↑ |");
        // MLE's own row: estimates only. 10/40 complete; NLL (10·20 + 30·40) / 400 words = 3.5 per token
        assertThat(body).contains("| mle | 0.250 | 0.250 | 3.500 | 0.250 | 0.250 | — |");
        // cpo-an: 30/40 complete; NLL (30·20 + 10·40) / 400 = 2.5, so −1.0; it wins every prompt where it alone is complete
        assertThat(body).contains("| cpo-an | **0.750 (+0.500 [").contains("| **0.750 (+0.500 [").contains("**2.500 (-1.000 [").contains("| **0.750 [");
        assertThat(body).contains("**β 1 0.3000**").contains("β 0.1 0.2000");
        assertThat(body).contains("| cpo-an | 1.000 | 2.100 [2.000, 2.200] |");
    }
}
