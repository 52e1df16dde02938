package io.cpo4j.model.data;

import io.cpo4j.engine.io.FormatException;
import io.cpo4j.engine.io.Json;
import io.cpo4j.model.tokenizer.Utf8;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * JSON Lines files (one JSON object per line, UTF-8). A bad line — invalid UTF-8, malformed JSON,
 * a missing or mistyped field — is an error naming the file and line ({@code data.jsonl:12: …}),
 * or, when the caller asks to skip bad lines, is counted and its problem kept, so nothing is lost
 * silently. Blank lines, CRLF line ends and a leading byte-order mark are accepted.
 */
public final class JsonLines {

    /** Turns one parsed line into a record; {@code where} ({@code file:line}) is for error messages. */
    @FunctionalInterface
    public interface Mapper<T> {
        T map(Map<String, Object> object, String where) throws FormatException;
    }

    /** At most this many problems are kept when lines are skipped (all are counted). */
    public static final int MAX_PROBLEMS_KEPT = 100;

    /**
     * @param records  the good lines, in file order
     * @param skipped  how many lines were skipped as bad
     * @param problems the first {@link #MAX_PROBLEMS_KEPT} reasons, each naming its file and line
     */
    public record Result<T>(List<T> records, int skipped, List<String> problems) {}

    private JsonLines() {}

    public static <T> Result<T> read(Path file, boolean skipBadLines, Mapper<T> mapper) throws IOException {
        byte[] bytes = Utf8.readBytes(file);
        List<T> records = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        int skipped = 0;
        int line = 0;
        // A byte-order mark (Windows tools write one) is not part of the first record.
        int first = bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB && (bytes[2] & 0xFF) == 0xBF ? 3 : 0;
        for (int start = first; start < bytes.length; ) {
            int end = start;
            while (end < bytes.length && bytes[end] != '\n') end++;
            line++;
            int stop = end > start && bytes[end - 1] == '\r' ? end - 1 : end;
            String where = file + ":" + line;
            try {
                T record = parseLine(bytes, start, stop - start, where, mapper);
                if (record != null) records.add(record);
            } catch (FormatException e) {
                if (!skipBadLines) throw e;
                skipped++;
                if (problems.size() < MAX_PROBLEMS_KEPT) problems.add(e.getMessage());
            }
            start = end + 1;
        }
        return new Result<>(Collections.unmodifiableList(records), skipped, Collections.unmodifiableList(problems));
    }

    private static <T> T parseLine(byte[] bytes, int offset, int length, String where, Mapper<T> mapper) throws FormatException {
        int bad = Utf8.firstInvalid(bytes, offset, length);
        if (bad >= 0) {
            throw new FormatException(where, String.format("invalid UTF-8 at column %d (byte 0x%02X)", bad - offset + 1, bytes[bad] & 0xFF));
        }
        String text = Utf8.decodeLenient(bytes, offset, length);
        if (text.isBlank()) return null;
        Map<String, Object> object;
        try {
            object = Json.parseObject(text, where);
        } catch (FormatException e) {
            // The JSON parser counts lines inside the text it was given: here always line 1 of one record.
            throw new FormatException(where, e.getMessage().substring(where.length() + 2).replaceFirst("^line 1, column ", "column "));
        }
        return mapper.map(object, where);
    }
}
