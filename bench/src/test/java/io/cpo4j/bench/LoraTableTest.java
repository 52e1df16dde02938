package io.cpo4j.bench;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The LoRA / full ratio is taken call by call, then the median; the step benchmark's recipe is issue 21's. */
class LoraTableTest {

    @Test
    void ratioIsTheMedianOfTheCallsRatios() {
        StringBuilder md = new StringBuilder();
        // calls: 6/10, 4/10 (the machine sped up), 9/12 -> ratios 0.6, 0.4, 0.75 -> median 0.6, met (by the f32 base)
        LoraTable.write(md, List.of(new JmhRun.Timing(LoraTable.BENCHMARK, "", 2, 1e6, 1e6, 3)),
                Map.of("lora.ms.2.full", "10,10,12", "lora.ms.2.lora", "6,4,9", "lora.ms.2.lora-bf16", "8,8,12"));
        assertThat(md.toString()).contains("| 2 | 3 | 10 | 6 | 8 | 0.60 | 0.80 | met |");

        StringBuilder missed = new StringBuilder();
        LoraTable.write(missed, List.of(new JmhRun.Timing(LoraTable.BENCHMARK, "", 1, 1e6, 1e6, 1)),
                Map.of("lora.ms.1.full", "10", "lora.ms.1.lora", "7", "lora.ms.1.lora-bf16", "6.5"));
        assertThat(missed.toString()).contains("| 1 | 1 | 10 | 7 | 7 | 0.70 | 0.65 | **missed** |");
    }

    @Test
    void phasesAreSharesOfTheirSum() {
        StringBuilder md = new StringBuilder();
        LoraTable.write(md, List.of(new JmhRun.Timing(LoraTable.BENCHMARK, "", 2, 1e6, 1e6, 1)),
                Map.of("lora.ms.2.full", "10", "lora.ms.2.lora", "7", "lora.ms.2.lora-bf16", "6",
                        "lora.phase.2.lora.sampling", "5", "lora.phase.2.lora.scoring", "3", "lora.phase.2.lora.backward", "1.5", "lora.phase.2.lora.optimizer", "0.5"));
        assertThat(md.toString()).contains("| 2 | lora | 50% | 30% | 15% | 5% | 10.0 |").doesNotContain("| 2 | full |");
    }

    @Test
    void theStepIsIssue21s() {
        var recipe = LoraStepBenchmark.recipe();
        assertThat(recipe.candidates()).isEqualTo(4);
        assertThat(recipe.training().batchSize() * recipe.training().gradAccumSteps()).isEqualTo(8);
        assertThat(LoraStepBenchmark.examples(50257)).allSatisfy(e -> {
            assertThat(e.prefix()).hasSize(64);
            assertThat(e.continuation()).hasSize(64).endsWith(0);
        });
    }
}
