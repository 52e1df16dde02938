package io.cpo4j.tests;

import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.io.SafeTensors;
import io.cpo4j.model.hf.HfCheckpoint;
import io.cpo4j.model.lm.LanguageModel;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ./cpo4j merge} on adapters written by PEFT itself (the parity fixtures): the merged folder
 * it writes gives PyTorch's logits of the PEFT model, and its weights are the library's merge bit
 * for bit.
 */
class CliLoraFixtureTest {

    @TempDir
    static Path dir;

    @TestFactory
    Stream<DynamicTest> mergeOfPeftsOwnAdaptersGivesPyTorchsLogits() throws Exception {
        return Fixtures.foldersWith("own", Fixtures.own(), "lora/expected.safetensors").stream().map(f -> DynamicTest.dynamicTest(f.label(), () -> {
            Path base = f.dir().resolve("model"), adapter = f.dir().resolve("lora/adapter"), out = dir.resolve(f.dir().getFileName().toString());
            CliRun.of("merge", "--model", base, "--adapter", adapter, "--out", out).ok();
            LanguageModel merged = HfCheckpoint.load(out);
            SafeTensors st = SafeTensors.open(f.dir().resolve("lora/expected.safetensors"));
            int[] shape = st.entry("input_ids").shape();
            float[] logits;
            try (var scope = Autograd.noGrad()) {
                logits = merged.logits(st.ints("input_ids"), shape[0], shape[1]).toArray();
            }
            ModelParityTest.assertValuesClose("logits of " + out, logits, st.floats("logits"));
            float[] library = io.cpo4j.model.hf.PeftAdapters.load(HfCheckpoint.load(base), adapter).mergeAndUnload().parameters().values();
            assertThat(java.util.Arrays.mismatch(merged.parameters().values(), library)).as("first weight that differs from the library's merge").isEqualTo(-1);
        }));
    }

    @org.junit.jupiter.api.Test
    void theFixturesHoldBothFamilies() throws Exception {
        assertThat(Fixtures.foldersWith("own", Fixtures.own(), "lora/expected.safetensors").stream().map(Fixtures.Folder::family).distinct().toList())
                .containsAll(List.of("gpt2", "llama"));
    }
}
