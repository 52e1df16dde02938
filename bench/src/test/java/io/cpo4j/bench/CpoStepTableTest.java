package io.cpo4j.bench;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The by-shape table: the last step's seconds, each phase's share of the phases' sum, heap figures in GiB, failures named. */
class CpoStepTableTest {

    @Test
    void rowsShowTheLastStepAndNameFailures() {
        Map<String, String> ok = new LinkedHashMap<>(Map.of("setting", "gpt2:lora:bf16:recompute", "shape", "gpt2", "side", "lora r=16 BF16",
                "trainable", "2359296", "step.1.seconds", "61.00", "heap.peak", Long.toString(3L << 30), "estimate.bytes", Long.toString(1L << 31)));
        ok.putAll(Map.of("step.0.seconds", "99", "step.1.sampling", "30", "step.1.scoring", "15", "step.1.backward", "12", "step.1.optimizer", "3"));
        Map<String, String> failed = Map.of("setting", "open-llama-3b:lora:bf16", "shape", "open-llama-3b", "side", "lora r=16 BF16",
                "estimate.bytes", Long.toString(24L << 30), "error", "InsufficientMemoryException: needs about 24 GiB | more");
        String md = CpoStepTable.markdown("cmd", Machine.describe(), "20g", 2, 2, List.of(ok, failed));
        assertThat(md).contains("| gpt2 lora r=16 BF16, recompute | 2359296 | 61.00 | 50% | 25% | 20% | 5% | 3.00 | 2.00 |")
                .contains("| open-llama-3b lora r=16 BF16 | n/a | failed: InsufficientMemoryException: needs about 24 GiB / more | | | | | | 24.00 |");
    }
}
