package io.cpo4j.tests;

import io.cpo4j.cli.Main;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The command line's self-check, run in-process as the launcher would run it. */
class CliInfoTest {

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void infoReportsTheVectorPathAndAMatmulFigure() {
        Run r = run("info", "--threads", "1");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("vector api     on").contains("threads        1").doesNotContain("WARNING");
        String gflops = r.out().lines().filter(l -> l.contains("GFLOPS")).findFirst().orElseThrow();
        double value = Double.parseDouble(gflops.replaceAll(".*matmul\\s+([0-9.]+) GFLOPS.*", "$1"));
        assertThat(value).as("a cold-start 512³ matmul on one thread").isGreaterThan(1.0);
    }

    @Test
    void unknownCommandsAndOptionsAreOneLineErrors() {
        Run r = run("frobnicate");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("unknown command 'frobnicate'").contains("info");
        r = run("info", "--bogus");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("cpo4j info: unknown option --bogus (see ./cpo4j info --help)");
        assertThat(run("info", "--help").out()).contains("usage: ./cpo4j info");
        String encodeHelp = run("tokenizer", "encode", "--help").out();
        assertThat(encodeHelp).startsWith("usage: ./cpo4j tokenizer encode").doesNotContain("tokenizer tokenize");
        assertThat(run("--help").out()).contains("demo").contains("train").contains("finetune").contains("generate").contains("eval")
                .contains("ensemble").contains("tokenizer").contains("bench").contains("info");
    }
}
