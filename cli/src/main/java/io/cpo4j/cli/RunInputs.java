package io.cpo4j.cli;

import io.cpo4j.engine.io.Json;
import io.cpo4j.engine.io.TextFiles;
import io.cpo4j.model.train.MetricsLog;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The data files of a run ({@code --data}, {@code --val}) pinned to what the run recorded: a new
 * run records each file's absolute path, size and SHA-256 in {@code config.json} (under
 * {@code data.files}); {@code --resume} reads the data from those recorded paths, whatever the
 * current folder, and refuses a file that is no longer the one recorded, or a {@code --data} given
 * now that names another file. SHA-256 because it is in every JDK and fast enough for a read the
 * run does anyway.
 */
final class RunInputs {

    /** One data file as recorded: absolute path, size in bytes, SHA-256 in hex. */
    record DataFile(Path path, long bytes, String sha256) {

        static DataFile of(Path file) throws IOException {
            return new DataFile(file, Files.size(file), RunInputs.sha256(file));
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("path", path.toString());
            m.put("bytes", bytes);
            m.put("sha256", sha256);
            return m;
        }
    }

    private final Path base;
    private final Map<String, String> given = new LinkedHashMap<>();
    private final Map<String, DataFile> recorded = new LinkedHashMap<>();
    private final Map<String, DataFile> checked = new LinkedHashMap<>();
    private Path configFile;

    /**
     * Captures the data options given on this command line (call before a resumed run's saved
     * options are added); relative paths are resolved against {@code base}, the current folder.
     */
    RunInputs(Options o, Path base, String... options) {
        this.base = base.toAbsolutePath().normalize();
        for (String name : options) o.value(name).ifPresent(v -> given.put(name, v));
    }

    /** The current folder as the base. */
    static RunInputs given(Options o, String... options) {
        return new RunInputs(o, Path.of(""), options);
    }

    /** On resume: reads the files recorded in the run's config.json (none in a run from before they were recorded). */
    void pinTo(Path config) throws IOException {
        this.configFile = config;
        if (!Files.isRegularFile(config)) return;
        Map<String, Object> json = Json.parseObject(TextFiles.readUtf8(config), config.toString());
        if (!(json.get("data") instanceof Map<?, ?> data) || !(data.get("files") instanceof Map<?, ?> files)) return;
        for (Map.Entry<?, ?> e : files.entrySet()) {
            if (!(e.getValue() instanceof Map<?, ?> f) || !(f.get("path") instanceof String p) || !(f.get("bytes") instanceof Long n)
                    || !(f.get("sha256") instanceof String h)) {
                throw new io.cpo4j.engine.io.FormatException(config.toString(), "data.files." + e.getKey() + " needs path, bytes and sha256");
            }
            recorded.put(String.valueOf(e.getKey()), new DataFile(Path.of(p), n, h));
        }
    }

    /**
     * The file to read for {@code option}: the recorded one on resume (checked to be unchanged),
     * otherwise the option's value (given now, or saved) resolved against the base folder.
     */
    Optional<Path> path(Options o, String option) throws IOException {
        DataFile rec = recorded.get(option);
        if (rec == null) return o.value(option).map(v -> base.resolve(v).normalize());
        String now = given.get(option);
        if (now != null) {
            Path p = base.resolve(now).normalize();
            if (!p.equals(rec.path()) && !(Files.exists(p) && Files.exists(rec.path()) && Files.isSameFile(p, rec.path()))) {
                throw o.usage("--" + option + " " + p + " is not the file this run recorded, " + rec.path() + " (in " + configFile
                        + "); leave --" + option + " out to resume with the recorded file, or start a new run");
            }
        }
        if (!Files.isRegularFile(rec.path())) {
            throw new IOException(rec.path() + ", the --" + option + " file recorded in " + configFile + ", is missing; restore it to resume");
        }
        long size = Files.size(rec.path());
        String hash = size == rec.bytes() ? RunInputs.sha256(rec.path()) : null;
        if (size != rec.bytes() || !hash.equals(rec.sha256())) {
            throw new IOException(rec.path() + " has changed since it was recorded in " + configFile + " (" + rec.bytes() + " bytes, sha256 "
                    + rec.sha256().substring(0, 12) + "…; now " + size + " bytes" + (hash == null ? "" : ", sha256 " + hash.substring(0, 12) + "…")
                    + "); restore the recorded file, or start a new run");
        }
        checked.put(option, rec);
        return Optional.of(rec.path());
    }

    /** Like {@link #path} for a required option. */
    Path require(Options o, String option) throws IOException {
        if (!recorded.containsKey(option)) o.require(option);
        return path(o, option).orElseThrow();
    }

    /** Adds {@code data.files} to a run's config: each file's path, size and hash (hashed now unless checked on resume). */
    void record(Map<String, Object> config, Map<String, Optional<Path>> files) throws IOException {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, Optional<Path>> e : files.entrySet()) {
            if (e.getValue().isEmpty()) continue;
            DataFile f = checked.containsKey(e.getKey()) ? checked.get(e.getKey()) : DataFile.of(e.getValue().get().toAbsolutePath().normalize());
            out.put(e.getKey(), f.toJson());
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> data = (Map<String, Object>) config.computeIfAbsent("data", k -> new LinkedHashMap<String, Object>());
        data.put("files", out);
    }

    /** On resume: cuts a torn last line off metrics.jsonl (a kill mid-write) and says so in one line. */
    static void healMetrics(Path metrics, PrintStream out, String command) throws IOException {
        long cut = MetricsLog.cutTornTail(metrics);
        if (cut > 0) out.println(command + ": " + metrics + " ended in a torn line (" + cut + " bytes, from a killed run); cut back to its last complete line");
    }

    static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
