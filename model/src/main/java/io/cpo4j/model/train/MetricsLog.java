package io.cpo4j.model.train;

import io.cpo4j.engine.io.Json;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code metrics.jsonl}: one JSON object per line, appended and flushed as they come, so that a
 * run killed at any moment leaves every complete line readable (a reader skips a torn last line).
 */
public final class MetricsLog implements Closeable {

    private final BufferedWriter out;

    public MetricsLog(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** Appends {@code {"step": step, "kind": kind, ...values}}; non-finite numbers are written as null. */
    public void append(int step, String kind, Map<String, Double> values) throws IOException {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("step", (long) step);
        line.put("kind", kind);
        for (Map.Entry<String, Double> e : values.entrySet()) {
            Double v = e.getValue();
            line.put(e.getKey(), v == null || !Double.isFinite(v) ? null : v);
        }
        out.write(Json.write(line));
        out.write('\n');
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
