package io.cpo4j.tests;

import io.cpo4j.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's main command, in its seconds-long form: the whole pipeline runs, writes its run folder, and repeats exactly. */
class DemoTest {

    @TempDir
    Path dir;

    private String demo(Path out) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"demo", "--quick", "--out", out.toString()}, new PrintStream(bytes, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theQuickDemoRunsEndToEndAndIsDeterministic() throws Exception {
        Path a = dir.resolve("a"), b = dir.resolve("b");
        String out = demo(a);
        assertThat(out).contains("| model | decoding | oracle NLL").contains("| cpo | T=1.00 |").contains("| mle | greedy |")
                .contains("entropy rate").contains("Report: ");
        assertThat(out.lines().filter(l -> l.startsWith("| base |") || l.startsWith("| mle |") || l.startsWith("| cpo |"))).hasSize(15);
        for (String phase : new String[] {"pretrain", "cpo", "mle"}) {
            assertThat(a.resolve(phase + "/metrics.jsonl")).isNotEmptyFile();
            assertThat(a.resolve(phase + "/model/model.safetensors")).isNotEmptyFile();
            assertThat(a.resolve(phase + "/model/encoder.json")).isNotEmptyFile();
            assertThat(Files.list(a.resolve(phase + "/checkpoints")).count()).isEqualTo(1);
        }
        assertThat(Files.readString(a.resolve("cpo/metrics.jsonl"))).contains("\"rewards/accuracies\"").contains("\"rewards/rejected/autoregressive\"");
        String html = Files.readString(a.resolve("report.html"));
        assertThat(html).contains("<svg").contains("CPO rewards").contains("Samples at T = 1.0").doesNotContain("<script");
        demo(b);
        assertThat(Files.readString(b.resolve("eval.json"))).as("same seed, same numbers").isEqualTo(Files.readString(a.resolve("eval.json")));
    }
}
