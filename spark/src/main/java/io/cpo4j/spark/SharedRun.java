package io.cpo4j.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The run folder every replica can reach, at a Hadoop path ({@code file://}, {@code hdfs://},
 * {@code s3a://} where the cluster has the connector). Each replica trains in a local folder of its
 * own; rank 0 publishes here its config, metrics and every checkpoint (each checkpoint under a
 * temporary name, then renamed, so a reader never sees half of one), and at the end the model and
 * the report. A restarted or resumed job fetches the newest checkpoint from here into each
 * replica's local folder.
 */
final class SharedRun implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final Pattern CHECKPOINT = Pattern.compile("step-(\\d+)");

    private final String uri;
    private final Map<String, String> hadoop;       // the driver's Hadoop configuration, to rebuild on executors

    SharedRun(String uri, Configuration conf) {
        this.uri = uri;
        this.hadoop = new HashMap<>();
        for (Map.Entry<String, String> e : conf) hadoop.put(e.getKey(), e.getValue());
    }

    String uri() {
        return uri;
    }

    private org.apache.hadoop.fs.Path root() {
        return new org.apache.hadoop.fs.Path(uri);
    }

    /** The driver's Hadoop configuration, rebuilt here. */
    private Configuration conf() {
        Configuration conf = new Configuration(false);
        hadoop.forEach(conf::set);
        return conf;
    }

    private FileSystem fs() throws IOException {
        FileSystem fs = root().getFileSystem(conf());
        return fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;   // no .crc files beside a local run
    }

    /**
     * An input option's value as a local path: a Hadoop URI ({@code hdfs://…}, {@code s3a://…},
     * {@code file://…}) is copied, file or folder, into {@code localDir} with the driver's Hadoop
     * configuration; a plain path is left as it is (it must then exist on every worker).
     */
    String localInput(String value, java.nio.file.Path localDir) throws IOException {
        if (!value.contains("://")) return value;
        org.apache.hadoop.fs.Path src = new org.apache.hadoop.fs.Path(value);
        FileSystem fs = src.getFileSystem(conf());
        if (!fs.exists(src)) throw new IOException(value + ": not found");
        java.nio.file.Path dst = localDir.resolve(Integer.toHexString(value.hashCode())).resolve(src.getName());
        Files.createDirectories(dst.getParent());
        fs.copyToLocalFile(false, src, new org.apache.hadoop.fs.Path(dst.toUri()), true);
        return dst.toString();
    }

    /** Whether the folder already holds a run (its config.json). */
    boolean holdsRun() throws IOException {
        return fs().exists(new org.apache.hadoop.fs.Path(root(), "config.json"));
    }

    /** The newest published checkpoint's folder name ({@code step-N}), if any. */
    Optional<String> newestCheckpoint() throws IOException {
        FileSystem fs = fs();
        org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(root(), "checkpoints");
        if (!fs.exists(dir)) return Optional.empty();
        return Arrays.stream(fs.listStatus(dir)).filter(FileStatus::isDirectory).map(s -> s.getPath().getName())
                .filter(n -> CHECKPOINT.matcher(n).matches()).max(Comparator.comparing(n -> new java.math.BigInteger(n.substring(5))));
    }

    /** Copies config.json, metrics.jsonl and the newest checkpoint into a replica's empty local run folder; returns the checkpoint's name. */
    Optional<String> fetchInto(java.nio.file.Path local) throws IOException {
        Optional<String> newest = newestCheckpoint();
        if (newest.isEmpty()) return newest;
        FileSystem fs = fs();
        Files.createDirectories(local.resolve("checkpoints"));
        for (String f : List.of("config.json", "metrics.jsonl")) {
            org.apache.hadoop.fs.Path src = new org.apache.hadoop.fs.Path(root(), f);
            if (fs.exists(src)) fs.copyToLocalFile(false, src, new org.apache.hadoop.fs.Path(local.resolve(f).toUri()), true);
        }
        fs.copyToLocalFile(false, new org.apache.hadoop.fs.Path(root(), "checkpoints/" + newest.get()),
                new org.apache.hadoop.fs.Path(local.resolve("checkpoints").resolve(newest.get()).toUri()), true);
        return newest;
    }

    /** Publishes a checkpoint of the local run (and the config and metrics so far), each piece whole or not at all. */
    void publishCheckpoint(java.nio.file.Path local, java.nio.file.Path checkpoint, Map<String, String> renames) throws IOException {
        putRenamed(local, "config.json", renames);
        put(local.resolve("metrics.jsonl"), "metrics.jsonl");
        put(checkpoint, "checkpoints/" + checkpoint.getFileName());
    }

    /** Publishes the finished run: metrics, the model folder and the report. */
    void publishFinal(java.nio.file.Path local, Map<String, String> renames) throws IOException {
        put(local.resolve("metrics.jsonl"), "metrics.jsonl");
        for (String f : List.of("model", "adapter")) if (Files.exists(local.resolve(f))) put(local.resolve(f), f);
        putRenamed(local, "config.json", renames);
        putRenamed(local, "report.html", renames);
    }

    /**
     * A text file of the local run with the task's local paths renamed to what the user gave:
     * {@code renames} maps the local run folder to this folder and fetched inputs to their URIs.
     */
    private void putRenamed(java.nio.file.Path local, String name, Map<String, String> renames) throws IOException {
        java.nio.file.Path source = local.resolve(name);
        if (!Files.exists(source)) return;
        java.nio.file.Path named = Files.createTempFile(local.getParent(), "." + name, ".tmp");
        try {
            String text = Files.readString(source);
            for (Map.Entry<String, String> r : renames.entrySet()) text = text.replace(r.getKey(), r.getValue());
            Files.writeString(named, text);
            put(named, name);
        } finally {
            Files.deleteIfExists(named);
        }
    }

    /** Where failed replicas leave their reason, for the driver (a failed barrier stage reports only "a task failed"). */
    private org.apache.hadoop.fs.Path failures() {
        return new org.apache.hadoop.fs.Path(root(), ".cpo4j-failures");
    }

    /** Records why replica {@code rank} failed on job attempt {@code attempt}: one line. */
    void noteFailure(int attempt, int rank, String why) throws IOException {
        FileSystem fs = fs();
        org.apache.hadoop.fs.Path note = new org.apache.hadoop.fs.Path(failures(), "attempt-" + attempt + "-rank-" + rank);
        fs.mkdirs(failures());
        try (var out = fs.create(note, true)) {
            out.write(why.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    /** The reasons replicas gave on attempt {@code attempt}, by rank; then forgets them. */
    List<String> takeFailures(int attempt) throws IOException {
        FileSystem fs = fs();
        if (!fs.exists(failures())) return List.of();
        List<String> out = new java.util.ArrayList<>();
        FileStatus[] notes = fs.listStatus(failures());
        Arrays.sort(notes, Comparator.comparing(n -> n.getPath().getName()));
        for (FileStatus n : notes) {
            if (!n.getPath().getName().startsWith("attempt-" + attempt + "-")) continue;
            try (var in = fs.open(n.getPath())) {
                out.add(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        fs.delete(failures(), true);
        return out;
    }

    /** Copies a local file or folder to {@code name} under a temporary name first, then renames it into place. */
    private void put(java.nio.file.Path source, String name) throws IOException {
        if (!Files.exists(source)) return;
        FileSystem fs = fs();
        org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(root(), name);
        org.apache.hadoop.fs.Path tmp = new org.apache.hadoop.fs.Path(target.getParent(), "." + target.getName() + ".tmp-" + UUID.randomUUID());
        fs.mkdirs(target.getParent());
        fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(source.toUri()), tmp);
        if (fs.exists(target)) fs.delete(target, true);
        if (!fs.rename(tmp, target)) {
            fs.delete(tmp, true);
            throw new IOException("could not move " + tmp + " to " + target);
        }
    }
}
