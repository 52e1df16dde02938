package io.cpo4j.cli.eval;

import io.cpo4j.engine.io.AtomicFiles;
import io.cpo4j.engine.io.Json;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The evaluation table: rows of {@link EvalRow}, rendered as Markdown (for the terminal,
 * report and docs/RESULTS.md) or JSON (for machines), in the order they were added.
 */
public final class EvalTable {

    private final List<EvalRow> rows = new ArrayList<>();

    /** An empty table. */
    public EvalTable() {}

    public EvalTable add(EvalRow row) {
        rows.add(row);
        return this;
    }

    public List<EvalRow> rows() {
        return Collections.unmodifiableList(rows);
    }

    /**
     * Columns: model, decoding, oracle NLL ↓, coverage NLL ↓, valid ↑, win rate vs truth ↑,
     * rep-2, rep-4, distinct-2, length ratio. Intervals are 95%, written "est [low, high]".
     */
    public String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("| model | decoding | oracle NLL ↓ | coverage NLL ↓ | valid ↑ | win rate vs truth ↑ | rep-2 | rep-4 | distinct-2 | length ratio |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (EvalRow r : rows) {
            OracleMetrics m = r.metrics();
            sb.append("| ").append(r.model())
                    .append(" | ").append(r.decoding().name())
                    .append(" | ").append(m.oracleNll().format(3))
                    .append(" | ").append(r.coverageNll() == null ? "—" : r.coverageNll().format(3))
                    .append(" | ").append(m.validity().format(3))
                    .append(" | ").append(m.winRate().rate().format(3))
                    .append(" | ").append(fixed(m.repetition().get(2)))
                    .append(" | ").append(fixed(m.repetition().get(4)))
                    .append(" | ").append(fixed(m.distinct().get(2)))
                    .append(" | ").append(fixed(m.length().ratio()))
                    .append(" |\n");
        }
        return sb.toString();
    }

    private static String fixed(double v) {
        return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, "%.3f", v);
    }

    public Map<String, Object> toJson() {
        List<Object> list = new ArrayList<>();
        for (EvalRow r : rows) list.add(r.toJson());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rows", list);
        return m;
    }

    /** Writes the JSON form atomically. */
    public void writeJson(Path file) throws IOException {
        AtomicFiles.writeString(file, Json.writePretty(toJson()));
    }
}
