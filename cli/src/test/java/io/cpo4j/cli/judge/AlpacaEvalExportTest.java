package io.cpo4j.cli.judge;

import io.cpo4j.engine.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class AlpacaEvalExportTest {

    @Test
    @SuppressWarnings("unchecked")
    void writesModelAndReferenceOutputsInAlpacaEvalsFormat(@TempDir Path dir) throws Exception {
        List<PairItem> items = List.of(new PairItem("the farmers", "sell apples .", "feed the cows ."),
                new PairItem("does the \"sailor\"", "swim ?", "sail\n?"),
                new PairItem("the farmers", "sleep .", "work ."));
        AlpacaEvalExport.Result r = AlpacaEvalExport.write(dir.resolve("out"), items, "cpo-ranked", "ground_truth", "oracle");
        assertThat(r.items()).isEqualTo(3);
        assertThat(r.duplicatePrompts()).isEqualTo(1);
        assertThat(r.modelOutputs().getFileName().toString()).isEqualTo("model_outputs.json");

        List<Object> model = (List<Object>) Json.parse(Files.readString(r.modelOutputs()), "model_outputs.json");
        List<Object> reference = (List<Object>) Json.parse(Files.readString(r.referenceOutputs()), "reference_outputs.json");
        assertThat(model).hasSize(3);
        Map<String, Object> first = (Map<String, Object>) model.get(0);
        assertThat(first.keySet()).containsExactly("dataset", "instruction", "output", "generator");
        assertThat(first).containsEntry("dataset", "oracle").containsEntry("instruction", "the farmers")
                .containsEntry("output", "sell apples .").containsEntry("generator", "cpo-ranked");
        Map<String, Object> second = (Map<String, Object>) reference.get(1);
        assertThat(second).containsEntry("instruction", "does the \"sailor\"").containsEntry("output", "sail\n?")
                .containsEntry("generator", "ground_truth");
        try (var files = Files.list(dir.resolve("out"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("model_outputs.json", "reference_outputs.json");
        }
    }
}
