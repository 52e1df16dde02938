package io.cpo4j.cli.experiment;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class TrainingDiagnosticsTest {

    @Test
    void meansTheLastTenthOfTheTrainingSteps(@TempDir Path dir) throws Exception {
        List<String> lines = new ArrayList<>();
        for (int step = 1; step <= 20; step++) {
            lines.add("{\"step\":" + step + ",\"kind\":\"train\",\"loss\":1.0,\"rewards/margins\":" + step * 0.1
                    + ",\"rewards/accuracies\":" + (step > 18 ? 1.0 : 0.5) + ",\"truth_rank\":" + (step % 2 == 0 ? 1 : 2) + "}");
            if (step % 10 == 0) lines.add("{\"step\":" + step + ",\"kind\":\"validation\",\"rewards/margins\":99}");
        }
        Files.write(dir.resolve("metrics.jsonl"), lines);
        TrainingDiagnostics d = TrainingDiagnostics.read(dir);
        assertThat(d.steps()).isEqualTo(20);
        assertThat(d.get("rewards/margins")).isCloseTo((1.9 + 2.0) / 2, within(1e-12));      // steps 19 and 20; validation rows skipped
        assertThat(d.get("rewards/accuracies")).isEqualTo(1.0);
        assertThat(d.get("truth_rank")).isEqualTo(1.5);
        assertThat(d.get("nll_loss")).isNaN();                                                 // never reported
    }

    @Test
    void aBrokenLineIsNamedByFileAndLine(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("metrics.jsonl"), List.of("{\"step\":1,\"kind\":\"train\"}", "{oops"));
        assertThatThrownBy(() -> TrainingDiagnostics.read(dir)).hasMessageContaining("metrics.jsonl:2");
    }
}
