package io.cpo4j.cli;

import io.cpo4j.engine.io.AtomicFiles;
import io.cpo4j.engine.io.Json;
import io.cpo4j.engine.io.TextFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The folder of one training run ({@code train}, {@code finetune}): {@code config.json} (everything
 * needed to reproduce it), {@code metrics.jsonl}, {@code checkpoints/}, the final model in
 * {@code model/} and {@code report.html}. A folder that already holds a run is only reused on
 * {@code --resume}, so a typo in {@code --out} never mixes two runs.
 */
final class RunFolder {

    static final String CONFIG = "config.json", METRICS = "metrics.jsonl", REPORT = "report.html", MODEL = "model", CHECKPOINTS = "checkpoints";

    private final Path dir;

    private RunFolder(Path dir) {
        this.dir = dir;
    }

    /** Opens {@code dir} for a new run, or for continuing one with {@code resume}; refuses an existing run without it. */
    static RunFolder open(Path dir, boolean resume, Options opts) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) throw opts.usage("--out " + dir + " is a file, not a folder");
        if (holdsRun(dir) && !resume) {
            throw opts.usage(dir + " already holds a run (" + CONFIG + ", " + METRICS + " or " + CHECKPOINTS
                    + "/); add --resume to continue it from its newest checkpoint, or choose another --out");
        }
        return new RunFolder(dir);
    }

    static boolean holdsRun(Path dir) {
        return Files.exists(dir.resolve(CONFIG)) || Files.exists(dir.resolve(METRICS)) || Files.exists(dir.resolve(CHECKPOINTS));
    }

    Path dir() {
        return dir;
    }

    Path config() {
        return dir.resolve(CONFIG);
    }

    Path metrics() {
        return dir.resolve(METRICS);
    }

    Path model() {
        return dir.resolve(MODEL);
    }

    Path report() {
        return dir.resolve(REPORT);
    }

    /**
     * The options a previous invocation saved in config.json (for --resume), if there are any —
     * without --threads (a property of this machine, not of the run) and --resume itself.
     */
    Optional<Map<String, Object>> savedOptions() throws IOException {
        if (!Files.isRegularFile(config())) return Optional.empty();
        Map<String, Object> json = Json.parseObject(TextFiles.readUtf8(config()), config().toString());
        if (!(json.get("options") instanceof Map<?, ?> m)) return Optional.empty();
        @SuppressWarnings("unchecked")
        Map<String, Object> options = new java.util.LinkedHashMap<>((Map<String, Object>) m);
        options.keySet().removeAll(List.of("threads", "resume", "config"));
        return Optional.of(options);
    }

    /** Writes config.json atomically (pretty-printed). */
    void writeConfig(Map<String, Object> config) throws IOException {
        Files.createDirectories(dir);
        AtomicFiles.writeString(config(), Json.writePretty(config));
    }

    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:=,+@%-]+");

    /** The command as a shell line that repeats it: {@code ./cpo4j train --data 'my file.bin' …}. */
    static String commandLine(String command, List<String> args) {
        StringBuilder sb = new StringBuilder("./cpo4j ").append(command);
        for (String a : args) sb.append(' ').append(PLAIN.matcher(a).matches() ? a : "'" + a.replace("'", "'\\''") + "'");
        return sb.toString();
    }
}
