package io.cpo4j.cli.report;

import io.cpo4j.engine.io.FormatException;
import io.cpo4j.engine.io.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a run's {@code metrics.jsonl} into series per metric. A line that is not a JSON object
 * with a {@code step} and a {@code kind} (torn by a kill, or damaged), anywhere in the file, is
 * skipped and counted, so that one bad line never hides the rest; steps repeated after a resume
 * keep their latest value.
 */
public final class MetricsReader {

    private MetricsReader() {}

    /** kind → metric → step → value (metrics in first-seen order), and the 1-based numbers of the lines skipped. */
    public record Metrics(Map<String, Map<String, TreeMap<Integer, Double>>> series, List<Integer> badLines) {

        /** One line for a report, e.g. "metrics.jsonl: 2 unreadable lines skipped (lines 6, 9)"; empty when none. */
        public String note(Path file) {
            if (badLines.isEmpty()) return "";
            List<Integer> shown = badLines.subList(0, Math.min(10, badLines.size()));
            return file.getFileName() + ": " + badLines.size() + " unreadable line" + (badLines.size() == 1 ? "" : "s") + " skipped (line"
                    + (badLines.size() == 1 ? " " : "s ") + String.join(", ", shown.stream().map(String::valueOf).toList())
                    + (badLines.size() > shown.size() ? ", …" : "") + ")";
        }
    }

    /** kind → metric → step → value, metrics in first-seen order; bad lines are skipped. */
    public static Map<String, Map<String, TreeMap<Integer, Double>>> read(Path file) throws IOException {
        return readAll(file).series();
    }

    /** The series and the lines that had to be skipped. */
    public static Metrics readAll(Path file) throws IOException {
        Map<String, Map<String, TreeMap<Integer, Double>>> out = new LinkedHashMap<>();
        List<Integer> bad = new ArrayList<>();
        if (!Files.exists(file)) return new Metrics(out, bad);
        // Decoding replaces malformed UTF-8 (a line torn inside a character) instead of failing the whole file.
        String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) continue;
            Map<String, Object> obj;
            try {
                obj = Json.parseObject(line, file + " line " + (i + 1));
            } catch (FormatException e) {
                bad.add(i + 1);
                continue;
            }
            if (!(obj.get("step") instanceof Long step) || !(obj.get("kind") instanceof String kind)) {
                bad.add(i + 1);
                continue;
            }
            Map<String, TreeMap<Integer, Double>> byMetric = out.computeIfAbsent(kind, k -> new LinkedHashMap<>());
            for (Map.Entry<String, Object> e : obj.entrySet()) {
                if (e.getValue() instanceof Number n && !e.getKey().equals("step")) {
                    byMetric.computeIfAbsent(e.getKey(), k -> new TreeMap<>()).put(step.intValue(), n.doubleValue());
                }
            }
        }
        return new Metrics(out, List.copyOf(bad));
    }

    /** The series as (x, y) points. */
    public static List<double[]> points(TreeMap<Integer, Double> series) {
        List<double[]> p = new ArrayList<>();
        series.forEach((x, y) -> p.add(new double[] {x, y}));
        return p;
    }
}
