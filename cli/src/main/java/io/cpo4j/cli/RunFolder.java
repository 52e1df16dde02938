package io.cpo4j.cli;

import io.cpo4j.engine.io.AtomicFiles;
import io.cpo4j.engine.io.Json;
import io.cpo4j.engine.io.TextFiles;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The folder of one training run ({@code train}, {@code finetune}): {@code config.json} (everything
 * needed to reproduce it), {@code metrics.jsonl}, {@code checkpoints/}, the final model in
 * {@code model/} and {@code report.html}. One process at a time owns it ({@link RunLock}), from
 * {@link #open} to {@link #close}. A folder that already holds a run is only reused on
 * {@code --resume} (continue it) or {@code --overwrite} (replace it), and a non-empty folder that
 * holds no run only on {@code --overwrite}, so a typo in {@code --out} never mixes two runs or
 * writes over someone else's files.
 */
final class RunFolder implements AutoCloseable {

    static final String CONFIG = "config.json", METRICS = "metrics.jsonl", REPORT = "report.html", MODEL = "model", CHECKPOINTS = "checkpoints";
    /** Where a LoRA run's final adapters go (PEFT's folder), in place of {@link #MODEL}. */
    static final String ADAPTER = "adapter";

    /** What a run writes; --overwrite deletes these (and nothing else) before the new run starts. */
    static final List<String> RUN_FILES = List.of(CONFIG, METRICS, CHECKPOINTS, MODEL, ADAPTER, REPORT);

    /** How long Ctrl-C waits for the run to finish its checkpoint, model and report before the process ends. */
    static final Duration WAIT_ON_EXIT = Duration.ofMinutes(5);

    private final Path dir;
    private final RunLock lock;
    private final boolean created;

    private RunFolder(Path dir, RunLock lock, boolean created) {
        this.dir = dir;
        this.lock = lock;
        this.created = created;
    }

    /**
     * Takes {@code dir} for a new run of {@code command}, for continuing one with {@code resume}, or
     * for replacing what is there with {@code overwrite}. Every refusal is a usage error (exit 2)
     * and leaves the folder as it was.
     */
    static RunFolder open(Path dir, String command, boolean resume, boolean overwrite, Options opts, PrintStream err) throws IOException {
        OutFolder.requireWritable(dir, opts);
        if (resume && overwrite) throw opts.usage("--resume continues the run in " + dir + " and --overwrite replaces it; give one of them");
        OutFolder.Check check = () -> {
            List<String> names = OutFolder.entries(dir);
            if (holdsRun(dir)) {
                if (!resume && !overwrite) {
                    throw opts.usage(dir + " already holds a run (" + OutFolder.list(names) + "); add --resume to continue it from its newest checkpoint, "
                            + "--overwrite to replace it, or choose another --out");
                }
            } else if (!names.isEmpty() && !overwrite) {
                throw opts.usage("--out " + dir + " is not empty and holds no run (" + OutFolder.list(names) + "); choose a new folder, or add --overwrite "
                        + "(without --resume) to write the run there, replacing any " + String.join(", ", RUN_FILES));
            }
        };
        // Refuse before touching anything (even the lock file changes the folder's time) unless
        // another process may hold the folder: then the lock names it. Checked again under the lock.
        if (!Files.exists(dir.resolve(RunLock.FILE))) check.run();
        boolean created = !Files.exists(dir);
        Files.createDirectories(dir);
        RunLock lock;
        try {
            lock = RunLock.acquire(dir, command, err, WAIT_ON_EXIT, "cpo4j " + command + ": interrupted before " + dir + " was finished; its newest checkpoint is in "
                    + dir.resolve(CHECKPOINTS) + "; continue with the same command and --resume");
        } catch (RunLock.HeldException e) {
            throw opts.usage("--out " + e.getMessage());
        }
        RunFolder run = new RunFolder(dir, lock, created);
        try {
            check.run();
            if (overwrite) OutFolder.delete(dir, RUN_FILES);
            return run;
        } catch (RuntimeException | IOException e) {
            run.close();
            throw e;
        }
    }

    static boolean holdsRun(Path dir) {
        return Files.exists(dir.resolve(CONFIG)) || Files.exists(dir.resolve(METRICS)) || Files.exists(dir.resolve(CHECKPOINTS));
    }

    /** Lets the folder go; one this run created and left empty (it failed before writing) is removed. */
    @Override
    public void close() {
        lock.close();
        try {
            if (created && OutFolder.entries(dir).isEmpty()) Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // an empty folder left behind is harmless
        }
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

    Path adapter() {
        return dir.resolve(ADAPTER);
    }

    Path report() {
        return dir.resolve(REPORT);
    }

    /**
     * The options a previous invocation saved in config.json (for --resume), if there are any —
     * without --threads (a property of this machine, not of the run), --resume and --overwrite.
     * Relative values of {@code folderOptions} (model or tokenizer folders; data files are pinned
     * by {@link RunInputs}) are resolved against the folder the run started from.
     */
    Optional<Map<String, Object>> savedOptions(List<String> folderOptions) throws IOException {
        if (!Files.isRegularFile(config())) return Optional.empty();
        Map<String, Object> json = Json.parseObject(TextFiles.readUtf8(config()), config().toString());
        if (!(json.get("options") instanceof Map<?, ?> m)) return Optional.empty();
        @SuppressWarnings("unchecked")
        Map<String, Object> options = new java.util.LinkedHashMap<>((Map<String, Object>) m);
        options.keySet().removeAll(List.of("threads", "resume", "overwrite", "config"));
        // relative model and tokenizer paths mean what they meant where the run started, not here
        if (json.get(WORKING_DIR) instanceof String started) {
            for (String option : folderOptions) {
                if (options.get(option) instanceof String value && !value.isEmpty() && !Path.of(value).isAbsolute()) {
                    options.put(option, Path.of(started).resolve(value).normalize().toString());
                }
            }
        }
        return Optional.of(options);
    }

    /** The config key that records the folder a run was started from. */
    static final String WORKING_DIR = "working_dir";

    /** Writes config.json atomically (pretty-printed), with the folder the run was started from. */
    void writeConfig(Map<String, Object> config) throws IOException {
        Files.createDirectories(dir);
        Map<String, Object> withDir = new java.util.LinkedHashMap<>(config);
        withDir.putIfAbsent(WORKING_DIR, Path.of("").toAbsolutePath().toString());
        AtomicFiles.writeString(config(), Json.writePretty(withDir));
    }

    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:=,+@%-]+");

    /** The command as a shell line that repeats it: {@code ./cpo4j train --data 'my file.bin' …}. */
    static String commandLine(String command, List<String> args) {
        StringBuilder sb = new StringBuilder("./cpo4j ").append(command);
        for (String a : args) sb.append(' ').append(PLAIN.matcher(a).matches() ? a : "'" + a.replace("'", "'\\''") + "'");
        return sb.toString();
    }
}
