package io.cpo4j.tests;

import io.cpo4j.cli.Main;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.cpo4j.engine.io.Json;

import static org.assertj.core.api.Assertions.assertThat;

/** One in-process run of {@code ./cpo4j …}: exit code, stdout, stderr. */
record CliRun(int code, String out, String err) {

    static CliRun of(Object... args) {
        String[] a = new String[args.length];
        for (int i = 0; i < args.length; i++) a[i] = String.valueOf(args[i]);
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = Main.run(a, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Fails with the output when the command did not succeed. */
    CliRun ok() {
        assertThat(code).as("exit code; stdout:%n%s%nstderr:%n%s", out, err).isZero();
        return this;
    }

    /** A usage or runtime error: exactly one line on stderr containing {@code message}, nothing on stdout. */
    void failsWith(int expectedCode, String message) {
        assertThat(code).as("exit code; stderr: %s", err).isEqualTo(expectedCode);
        assertThat(err.lines().count()).as(err).isEqualTo(1);
        assertThat(err).contains(message);
    }

    /** The JSON objects of a run's metrics.jsonl. */
    static List<Map<String, Object>> metrics(Path runDir) throws Exception {
        List<Map<String, Object>> lines = new ArrayList<>();
        for (String line : Files.readAllLines(runDir.resolve("metrics.jsonl"))) lines.add(Json.parseObject(line, "metrics.jsonl"));
        return lines;
    }
}
