package io.cpo4j.cli.experiment;

import io.cpo4j.engine.io.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a fine-tune ended, from its {@code metrics.jsonl}: the mean of each reported training figure
 * over the last tenth of its steps (at least one). For a contrastive run, {@code rewards/margins}
 * near 0 and a {@code truth_rank} near the middle say it never left the regime where CPO's gradient
 * is MLE's plus noise; margins past ~1 say it did.
 */
public record TrainingDiagnostics(int steps, Map<String, Double> lastTenth) {

    /** The figures the report shows, in its order. */
    public static final List<String> KEYS = List.of("rewards/margins", "rewards/accuracies", "truth_rank", "nll_loss");

    public TrainingDiagnostics {
        lastTenth = Map.copyOf(lastTenth);
    }

    /** NaN when the run did not report the figure (MLE has no rewards). */
    public double get(String key) {
        return lastTenth.getOrDefault(key, Double.NaN);
    }

    /** Reads {@code runDir/metrics.jsonl}; lines that are not training steps are skipped. */
    public static TrainingDiagnostics read(Path runDir) throws IOException {
        Path file = runDir.resolve("metrics.jsonl");
        List<Map<String, Object>> steps = new ArrayList<>();
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) continue;
            if (Json.parse(line, file + ":" + (i + 1)) instanceof Map<?, ?> m && "train".equals(m.get("kind"))) {
                @SuppressWarnings("unchecked") Map<String, Object> row = (Map<String, Object>) m;
                steps.add(row);
            }
        }
        return of(steps);
    }

    static TrainingDiagnostics of(List<Map<String, Object>> steps) {
        int n = steps.size(), from = n - Math.max(1, n / 10);
        Map<String, Double> means = new LinkedHashMap<>();
        for (String key : KEYS) {
            double sum = 0;
            int count = 0;
            for (int i = Math.max(0, from); i < n; i++) {
                if (steps.get(i).get(key) instanceof Number v) {
                    sum += v.doubleValue();
                    count++;
                }
            }
            if (count > 0) means.put(key, sum / count);
        }
        return new TrainingDiagnostics(n, means);
    }
}
