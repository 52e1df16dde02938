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
 * Reads a run's {@code metrics.jsonl} into series per metric. A torn last line (a run killed
 * mid-write) is skipped; steps repeated after a resume keep their latest value.
 */
public final class MetricsReader {

    private MetricsReader() {}

    /** kind → metric → step → value, metrics in first-seen order. */
    public static Map<String, Map<String, TreeMap<Integer, Double>>> read(Path file) throws IOException {
        Map<String, Map<String, TreeMap<Integer, Double>>> out = new LinkedHashMap<>();
        if (!Files.exists(file)) return out;
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) continue;
            Map<String, Object> obj;
            try {
                obj = Json.parseObject(line, file + " line " + (i + 1));
            } catch (FormatException e) {
                if (i == lines.size() - 1) continue;          // torn by a kill
                throw e;
            }
            if (!(obj.get("step") instanceof Long step) || !(obj.get("kind") instanceof String kind)) continue;
            Map<String, TreeMap<Integer, Double>> byMetric = out.computeIfAbsent(kind, k -> new LinkedHashMap<>());
            for (Map.Entry<String, Object> e : obj.entrySet()) {
                if (e.getValue() instanceof Number n && !e.getKey().equals("step")) {
                    byMetric.computeIfAbsent(e.getKey(), k -> new TreeMap<>()).put(step.intValue(), n.doubleValue());
                }
            }
        }
        return out;
    }

    /** The series as (x, y) points. */
    public static List<double[]> points(TreeMap<Integer, Double> series) {
        List<double[]> p = new ArrayList<>();
        series.forEach((x, y) -> p.add(new double[] {x, y}));
        return p;
    }
}
