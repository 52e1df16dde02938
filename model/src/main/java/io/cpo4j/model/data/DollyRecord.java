package io.cpo4j.model.data;

import io.cpo4j.engine.io.FormatException;
import io.cpo4j.engine.io.Json;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * One record of databricks-dolly-15k ({@code instruction}, {@code context}, {@code response},
 * {@code category}); {@code context} and {@code category} may be empty or absent.
 */
public record DollyRecord(String instruction, String context, String response, String category) {

    /** Reads a Dolly JSONL file; with {@code skipBadLines}, bad lines are counted in the result instead of failing. */
    public static JsonLines.Result<DollyRecord> read(Path file, boolean skipBadLines) throws IOException {
        return JsonLines.read(file, skipBadLines, DollyRecord::of);
    }

    /** A record from one parsed JSON object; missing or non-string fields are errors naming the field. */
    public static DollyRecord of(Map<String, Object> o, String where) throws FormatException {
        return new DollyRecord(Json.requireString(o, "instruction", where), optionalString(o, "context", where),
                Json.requireString(o, "response", where), optionalString(o, "category", where));
    }

    /** What {@link Split#byHash} hashes: the text of the record, so exact duplicates share a side. */
    public String splitKey() {
        return instruction + '\u0000' + context + '\u0000' + response;
    }

    private static String optionalString(Map<String, Object> o, String key, String where) throws FormatException {
        return o.get(key) == null ? "" : Json.requireString(o, key, where);
    }
}
