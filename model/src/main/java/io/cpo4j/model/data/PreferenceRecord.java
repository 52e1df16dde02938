package io.cpo4j.model.data;

import io.cpo4j.engine.io.FormatException;
import io.cpo4j.engine.io.Json;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One line of TRL's standard preference format: {@code prompt}, {@code chosen} and {@code rejected}
 * strings, where {@code rejected} may also be an array of several rejected continuations. The
 * prompt is used as written (any template already applied). TRL's conversational format (lists of
 * {@code {role, content}} messages) and its implicit-prompt format (no {@code prompt}) are refused
 * with a line naming the file and line, as are empty texts and a rejected equal to the chosen.
 *
 * @param rejected one or more, none empty or equal to {@code chosen}
 */
public record PreferenceRecord(String prompt, String chosen, List<String> rejected) {

    public PreferenceRecord {
        rejected = List.copyOf(rejected);
    }

    /** Reads a preference JSONL file; with {@code skipBadLines}, bad lines are counted in the result instead of failing. */
    public static JsonLines.Result<PreferenceRecord> read(Path file, boolean skipBadLines) throws IOException {
        return JsonLines.read(file, skipBadLines, PreferenceRecord::of);
    }

    /** A record from one parsed JSON object; {@code where} ({@code file:line}) starts every error. */
    public static PreferenceRecord of(Map<String, Object> o, String where) throws FormatException {
        for (String key : List.of("prompt", "chosen", "rejected")) {
            if (o.get(key) instanceof List<?> l && !l.isEmpty() && l.get(0) instanceof Map) {
                throw new FormatException(where, "field \"" + key + "\" is a list of messages (TRL's conversational format), which is not supported;"
                        + " give prompt, chosen and rejected as strings (apply the chat template first)");
            }
        }
        if (o.get("prompt") == null && o.get("chosen") != null) {
            throw new FormatException(where, "missing field \"prompt\" (TRL's implicit-prompt format is not supported; split the prompt off chosen and rejected)");
        }
        String prompt = nonEmpty(o, "prompt", where), chosen = nonEmpty(o, "chosen", where);
        List<String> rejected = new ArrayList<>();
        Object r = o.get("rejected");
        if (r instanceof List<?> list) {
            if (list.isEmpty()) throw new FormatException(where, "field \"rejected\" is an empty array; give at least one rejected continuation");
            for (int i = 0; i < list.size(); i++) {
                if (!(list.get(i) instanceof String s)) {
                    throw new FormatException(where, "field \"rejected\" must be a string or an array of strings, found " + Json.kind(list.get(i)) + " at index " + i);
                }
                rejected.add(s);
            }
        } else {
            rejected.add(Json.requireString(o, "rejected", where));
        }
        for (int i = 0; i < rejected.size(); i++) {
            String which = rejected.size() == 1 && !(r instanceof List) ? "field \"rejected\"" : "rejected[" + i + "]";
            if (rejected.get(i).isEmpty()) throw new FormatException(where, which + " is empty");
            if (rejected.get(i).equals(chosen)) throw new FormatException(where, which + " equals chosen; a rejected continuation must differ from the chosen one");
        }
        return new PreferenceRecord(prompt, chosen, rejected);
    }

    /** What {@link Split#byHash} hashes: the whole record, so exact duplicates share a side. */
    public String splitKey() {
        return prompt + '\u0000' + chosen + '\u0000' + String.join("\u0000", rejected);
    }

    private static String nonEmpty(Map<String, Object> o, String key, String where) throws FormatException {
        String s = Json.requireString(o, key, where);
        if (s.isEmpty()) throw new FormatException(where, "field \"" + key + "\" is empty");
        return s;
    }
}
