package io.cpo4j.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Figures a benchmark learns besides its time per call (the peak heap of a training step), passed
 * from JMH's forked JVM to the runner through a file: one {@code key=value} line each.
 */
final class Notes {

    static final String PROPERTY = "cpo4j.bench.notes";

    private static Path file;

    private Notes() {}

    /** The runner's notes file (created on first use, in the temp folder). */
    static synchronized Path file() {
        if (file == null) {
            try {
                file = Files.createTempFile("cpo4j-bench-notes", ".txt");
                file.toFile().deleteOnExit();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return file;
    }

    /** In a forked benchmark JVM: appends a note, when the runner asked for them. */
    static void write(String key, String value) {
        String path = System.getProperty(PROPERTY);
        if (path == null) return;
        try {
            Files.writeString(Path.of(path), key + "=" + value + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * In a forked benchmark JVM: each side's figures of an in-turns benchmark, in call order, as
     * {@code figurePrefix + who = v1,v2,…} ({@code format} per value), and the run's problems as
     * {@code notePrefix + i}.
     */
    static void writeTurns(String figurePrefix, String notePrefix, String format, Map<String, List<Double>> figures, List<String> problems) {
        for (var e : figures.entrySet()) {
            if (e.getValue().isEmpty()) continue;
            StringJoiner values = new StringJoiner(",");
            for (double v : e.getValue()) values.add(String.format(Locale.ROOT, format, v));
            write(figurePrefix + e.getKey(), values.toString());
        }
        for (int i = 0; i < problems.size(); i++) write(notePrefix + i, problems.get(i));
    }

    /** In the runner: every note so far, the last value of a key winning. */
    static Map<String, String> read() throws IOException {
        Map<String, String> notes = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(file());
        for (String line : lines) {
            int eq = line.indexOf('=');
            if (eq > 0) notes.put(line.substring(0, eq), line.substring(eq + 1));
        }
        return notes;
    }
}
