package io.cpo4j.spark;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad options are refused in one line before any Spark context starts. */
class SparkMainTest {

    static String refusal(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = SparkMain.run(List.of(args), new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(2);
        return err.toString(StandardCharsets.UTF_8).lines().findFirst().orElse("");
    }

    @Test
    void badOptionsAreRefusedNamingTheFlag() {
        assertThat(refusal("train", "--out", "x")).isEqualTo("cpo4j spark: --workers is required");
        assertThat(refusal("train", "--workers", "two")).isEqualTo("cpo4j spark: --workers must be a number, got 'two'");
        assertThat(refusal("train", "--workers", "2", "--timeout", "0")).isEqualTo("cpo4j spark: --timeout must be in [0.001, 86400.0], got 0");
        assertThat(refusal("generate", "--workers", "2")).isEqualTo("cpo4j spark: the first argument must be train or finetune, got 'generate'");
        assertThat(refusal("--workers", "2")).isEqualTo("cpo4j spark: the first argument must be train or finetune, got nothing");
        assertThat(refusal("train", "--workers", "2", "--bucket-mb")).isEqualTo("cpo4j spark: --bucket-mb needs a value");
    }
}
