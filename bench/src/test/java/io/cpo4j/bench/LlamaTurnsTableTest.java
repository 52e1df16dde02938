package io.cpo4j.bench;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The in-turns step tables take the ratio within each call (faster torch of the call / cpo4j) and report its median over calls. */
class LlamaTurnsTableTest {

    private static JmhRun.Timing row(String benchmark, String config, int threads) {
        return new JmhRun.Timing(benchmark, config, threads, 1e6, 1e6, 6);
    }

    @Test
    void llamaRatioIsTheMedianOfPerCallRatiosNotTheRatioOfMedians() {
        Map<String, String> notes = new LinkedHashMap<>();
        notes.put("llama.turns.smollm2-135m.1.cpo4j", "12000,10000,16000,11000");
        notes.put("llama.turns.smollm2-135m.1.torch/SkylakeX", "15000,9000,12000,13200");
        notes.put("train.turns.smollm2-135m.1.torch", "1,1,1,1");   // the GPT table's notes: not read here
        StringBuilder md = new StringBuilder();
        LlamaTurnsTable.write(md, List.of(row(LlamaTurnsTable.BENCHMARK, "smollm2-135m", 1)), notes);
        // per call: 15000/12000 = 1.25, 9000/10000 = 0.90, 12000/16000 = 0.75, 13200/11000 = 1.20 -> median (0.90 + 1.20) / 2 = 1.05
        // (medians 12600 / 11500 would give 1.10); cpo4j 1024 tokens / 11.5 s = 89 tokens/s
        assertThat(md.toString()).contains("| smollm2-135m | 1 | 4 | 11500.0 | 89 | torch/SkylakeX 12600.0 | 1.05× | met 1.05× |\n");
    }

    @Test
    void llamaRatioTakesTheFasterTorchOfEachCallAndMissesBelowTarget() {
        Map<String, String> notes = new LinkedHashMap<>();
        notes.put("llama.turns.smollm2-135m.2.cpo4j", "8000,9000,10000");
        notes.put("llama.turns.smollm2-135m.2.torch", "7200,9900,8500");
        notes.put("llama.turns.smollm2-135m.2.torch/Haswell", "7600,7740,9500");
        notes.put("llama.turns.note.smollm2-135m.2.0", "peer X did not start: null");
        StringBuilder md = new StringBuilder();
        LlamaTurnsTable.write(md, List.of(row(LlamaTurnsTable.BENCHMARK, "smollm2-135m", 2)), notes);
        // faster torch per call: 7200, 7740, 8500 -> 0.90, 0.86, 0.85 -> median 0.86; 1024 tokens / 9 s = 114 tokens/s
        assertThat(md.toString())
                .contains("| smollm2-135m | 2 | 3 | 9000.0 | 114 | torch 8500.0; torch/Haswell 7740.0 | 0.86× | **missed** 0.86× |\n")
                .contains("\nnote: peer X did not start: null\n");
    }

    @Test
    void gptTableGoesThroughTheSameRowsWithItsOwnNotesAndTokens() {
        Map<String, String> notes = new LinkedHashMap<>();
        notes.put("train.turns.tiny.1.cpo4j", "100,200,300");
        notes.put("train.turns.tiny.1.torch", "150,180,240");
        notes.put("llama.turns.tiny.1.torch", "1,1,1");   // the Llama table's notes: not read here
        StringBuilder md = new StringBuilder();
        ModelTables.trainStepInTurns(md, List.of(row("TrainStepInTurnsBenchmark.step", "tiny", 1)), notes);
        // 1.50, 0.90, 0.80 -> median 0.90; tiny: 16 x 128 = 2048 tokens / 0.2 s = 10240 tokens/s
        assertThat(md.toString()).contains("| tiny | 1 | 3 | 200.0 | 10240 | torch 180.0 | 0.90× | **missed** 0.90× |\n");
    }

    @Test
    void reportPlacesTheLlamaTurnsTableRightAfterTheLlamaStep() {
        assertThat(Cases.of(LlamaTurnsTable.BENCHMARK).unit()).isEqualTo("ms per call");
        assertThat(Cases.ORDER.indexOf(LlamaTurnsTable.BENCHMARK)).isEqualTo(Cases.ORDER.indexOf(LlamaTables.STEP) + 1);
    }
}
