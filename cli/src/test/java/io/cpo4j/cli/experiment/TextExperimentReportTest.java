package io.cpo4j.cli.experiment;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class TextExperimentReportTest {

    private static List<List<TextExperiment.ExampleNll>> nll(double perToken) {
        List<TextExperiment.ExampleNll> seed = new ArrayList<>();
        for (int i = 0; i < 30; i++) seed.add(new TextExperiment.ExampleNll(perToken * (10 + i % 3), 10 + i % 3));
        return List.of(seed);
    }

    private static List<List<TextExperiment.Continuation>> continuations(List<String> candidate, boolean ended) {
        List<TextExperiment.Continuation> seed = new ArrayList<>();
        for (int i = 0; i < 30; i++) seed.add(new TextExperiment.Continuation(candidate, List.of("a", "b", "c", "d"), ended));
        return List.of(seed);
    }

    @Test
    void repetitionCountsRepeatedBigramsOfOneContinuation() {
        assertThat(new TextExperiment.Continuation(List.of("a", "b", "a", "b", "a"), List.of(), true).repetition2()).isCloseTo(0.5, within(1e-12));
        assertThat(new TextExperiment.Continuation(List.of("a"), List.of(), true).repetition2()).isZero();
    }

    @Test
    void everyMethodIsPairedWithMle() {
        Map<String, List<List<TextExperiment.ExampleNll>>> nll = new LinkedHashMap<>();
        nll.put("mle", nll(2.0));
        nll.put("cpo", nll(2.5));
        Map<String, Map<String, List<List<TextExperiment.Continuation>>>> samples = new LinkedHashMap<>();
        samples.put("mle", Map.of("T=1.0", continuations(List.of("a", "b", "c", "d"), true), "greedy", continuations(List.of("x", "y", "x", "y"), false)));
        samples.put("cpo", Map.of("T=1.0", continuations(List.of("a", "b"), true), "greedy", continuations(List.of("x", "y", "x", "y"), true)));
        String md = TextExperiment.markdown("toy", nll, samples, 30, 30, List.of(1L), 3);
        assertThat(md).contains("| method (toy) | held-out NLL ↓ |").contains("| mle | 2.000 |").contains("| cpo | **2.500 (+0.500 [+0.500, +0.500])** |");
        // T = 1.0: the same ending, half the length
        assertThat(md).contains("| cpo | 1.000 (+0.000 [+0.000, +0.000]) | 0.000 (+0.000 [+0.000, +0.000]) | **0.500 (-0.500 [-0.500, -0.500])** |");
        // greedy: cpo ends where mle ran on; both repeat x y (rep-2 = 1 − 2/3)
        assertThat(md).contains("| cpo | **1.000 (+1.000 [+1.000, +1.000])** | 0.333 (+0.000 [+0.000, +0.000]) |");
        assertThat(md).contains("| mle | 0.022 |");            // distinct-2 of x y x y over 30 identical continuations: 2 of 90
    }
}
