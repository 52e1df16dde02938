package io.cpo4j.tests;

import io.cpo4j.cli.report.MetricsReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.cpo4j.tests.CliTrainingTest.SMALL_MODEL;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Run folders that never lose work (issue 25): a torn metrics.jsonl line no longer breaks
 * {@code --resume}, a divergence never prunes the last good checkpoint, and {@code --resume}
 * trains on the data files recorded in config.json, whatever the current folder.
 */
class ResumeReliabilityTest {

    @TempDir
    static Path dir;

    static Path text, chars, trainBin, otherBin;

    @BeforeAll
    static void data() throws Exception {
        text = dir.resolve("corpus.txt");
        chars = dir.resolve("chars");
        Path other = dir.resolve("other.txt");
        Files.writeString(text, CliTrainingTest.corpus(300, 1));
        Files.writeString(other, CliTrainingTest.corpus(20, 7));
        CliRun.of("tokenizer", "train", "--type", "char", "--data", text, "--out", chars).ok();
        trainBin = dir.resolve("train.bin");
        otherBin = dir.resolve("other.bin");
        CliRun.of("tokenizer", "tokenize", "--tokenizer", chars, "--data", text, "--out", trainBin).ok();
        CliRun.of("tokenizer", "tokenize", "--tokenizer", chars, "--data", other, "--out", otherBin).ok();
    }

    /** The arguments in order, arrays spliced in. */
    static Object[] cmd(Object... parts) {
        List<Object> all = new ArrayList<>();
        for (Object p : parts) {
            if (p instanceof Object[] a) all.addAll(List.of(a));
            else all.add(p);
        }
        return all.toArray();
    }

    /** A constant learning rate (no warmup, min ratio 1) makes 10 + 10 steps the same schedule as 20. */
    static final Object[] CONSTANT_LR = cmd(SMALL_MODEL, "--batch", 4, "--lr", 2e-3, "--warmup", 0, "--min-lr-ratio", 1, "--eval-every", 0);

    @Test
    void aTornMetricsLineIsCutOnResumeAndTheRunEndsBitIdentical() throws Exception {
        Path split = dir.resolve("torn"), straight = dir.resolve("torn-straight");
        CliRun.of(cmd("train", CONSTANT_LR, "--data", trainBin, "--checkpoint-every", 5, "--out", split, "--steps", 12)).ok();
        // As if killed while writing step 13's line, after step 12's checkpoint.
        String fragment = "{\"step\":13,\"kind\":\"train\",\"loss\":3.1";
        Files.writeString(split.resolve("metrics.jsonl"), fragment, StandardOpenOption.APPEND);
        long before = Files.size(split.resolve("metrics.jsonl"));

        CliRun resumed = CliRun.of(cmd("train", CONSTANT_LR, "--data", trainBin, "--checkpoint-every", 5, "--out", split, "--steps", 20, "--resume")).ok();
        assertThat(resumed.out()).contains("metrics.jsonl ended in a torn line (" + fragment.length() + " bytes, from a killed run)",
                "resumed " + split + " at step 12 from step-00000012", "finished at step 20");
        assertThat(resumed.err()).isEmpty();
        List<Map<String, Object>> lines = CliRun.metrics(split);            // every line parses
        assertThat(lines).extracting(m -> m.get("step")).containsExactlyElementsOf(LongStreamOf(1, 20));
        assertThat(Files.size(split.resolve("metrics.jsonl"))).isGreaterThan(before - fragment.length());
        assertThat(split.resolve("report.html")).isRegularFile();

        CliRun.of(cmd("train", CONSTANT_LR, "--data", trainBin, "--checkpoint-every", 5, "--out", straight, "--steps", 20)).ok();
        assertThat(Files.readAllBytes(split.resolve("model/model.safetensors")))
                .as("model.safetensors after a torn line and a resume equals the uninterrupted run's, byte for byte")
                .isEqualTo(Files.readAllBytes(straight.resolve("model/model.safetensors")));

        // Bad lines anywhere, not only the last, are skipped, counted and reported.
        Path metrics = split.resolve("metrics.jsonl");
        List<String> all = new ArrayList<>(Files.readAllLines(metrics));
        all.add(4, "{\"step\":5,\"kind\":\"tr\u0000");
        all.add(9, "not json at all");
        Files.write(metrics, all);
        MetricsReader.Metrics read = MetricsReader.readAll(metrics);
        assertThat(read.badLines()).containsExactly(5, 10);
        assertThat(read.series().get("train").get("loss")).hasSize(20);
        assertThat(read.note(metrics)).isEqualTo("metrics.jsonl: 2 unreadable lines skipped (lines 5, 10)");
        CliRun more = CliRun.of("train", "--out", split, "--resume", "--steps", 22).ok();
        assertThat(more.out()).contains("finished at step 22").doesNotContain("torn line");
        assertThat(Files.readString(split.resolve("report.html"))).contains("metrics.jsonl: 2 unreadable lines skipped (lines 5, 10)");
    }

    private static List<Object> LongStreamOf(long from, long to) {
        List<Object> l = new ArrayList<>();
        for (long i = from; i <= to; i++) l.add(i);
        return l;
    }

    @Test
    void aDivergenceKeepsTheLastGoodCheckpointNamesItAndResumeStartsThere() throws Exception {
        Path run = dir.resolve("diverged");
        Object[] common = cmd("train", SMALL_MODEL, "--data", trainBin, "--batch", 4, "--warmup", 0, "--eval-every", 0,
                "--checkpoint-every", 2, "--keep-checkpoints", 1, "--steps", 60, "--out", run);
        CliRun failed = CliRun.of(cmd(common, "--lr", 1e6));
        assertThat(failed.code()).as(failed.err()).isEqualTo(1);
        assertThat(failed.err().lines().count()).as(failed.err()).isEqualTo(1);
        List<Path> folders;
        try (Stream<Path> s = Files.list(run.resolve("checkpoints"))) {
            folders = s.sorted().toList();
        }
        List<String> names = folders.stream().map(p -> p.getFileName().toString()).toList();
        assertThat(names).hasSize(2);
        String good = names.get(0), diverged = names.get(1);
        assertThat(good).matches("step-\\d{8}");
        assertThat(diverged).matches("step-\\d{8}-diverged");
        assertThat(failed.err()).contains("the state it stopped in is saved in " + run.resolve("checkpoints").resolve(diverged),
                "the last good checkpoint is " + run.resolve("checkpoints").resolve(good));
        // The good checkpoint's last logged loss was finite.
        int goodStep = Integer.parseInt(good.substring("step-".length()));
        int divergedStep = Integer.parseInt(diverged.substring("step-".length(), diverged.length() - "-diverged".length()));
        assertThat(goodStep).as("lr 1e6 takes a few finite steps, one checkpoint, then diverges").isEqualTo(2);
        assertThat(divergedStep).isEqualTo(3);
        TreeMap<Integer, Double> loss = MetricsReader.read(run.resolve("metrics.jsonl")).get("train").get("loss");
        assertThat(loss.get(goodStep)).isNotNull().matches(Double::isFinite);

        CliRun resumed = CliRun.of("train", "--out", run, "--resume", "--lr", 1e-3, "--steps", goodStep + 2).ok();
        assertThat(resumed.out()).contains("resumed " + run + " at step " + goodStep + " from " + good, "finished at step " + (goodStep + 2));
    }

    // ---- resuming from another folder: the CLI in a child JVM, with its own working directory ----

    private record Child(int code, String out, String err) {}

    private static Child cli(Path workingDir, Object... args) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                "io.cpo4j.cli.Main"));
        for (Object a : args) cmd.add(String.valueOf(a));
        Path out = Files.createTempFile(dir, "child", ".out"), err = Files.createTempFile(dir, "child", ".err");
        Process p = new ProcessBuilder(cmd).directory(workingDir.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        // The JVM's own notice about the incubator module is not the CLI's output.
        String errText = String.join("\n", Files.readAllLines(err).stream().filter(l -> !l.startsWith("WARNING: Using incubator modules")).toList());
        Child c = new Child(p.exitValue(), Files.readString(out), errText);
        Files.delete(out);
        Files.delete(err);
        return c;
    }

    /** Every file under {@code root} outside {@code except}, with its size and modification time. */
    private static Map<String, String> snapshot(Path root, Path except) throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).filter(p -> !p.startsWith(except)).toList()) {
                m.put(root.relativize(p).toString(), Files.size(p) + "@" + Files.getLastModifiedTime(p).toMillis());
            }
        }
        return m;
    }

    @Test
    void resumeReadsTheRecordedDataFilesFromAnyFolderAndRefusesAChangedOne() throws Exception {
        Path root = dir.resolve("folders"), x = root.resolve("x"), y = root.resolve("y"), run = root.resolve("run");
        Files.createDirectories(x);
        Files.createDirectories(y);
        Files.copy(trainBin, x.resolve("train.bin"));
        Files.copy(otherBin, y.resolve("train.bin"));                  // same name, other data: the trap of the issue
        Object[] opts = cmd(CONSTANT_LR, "--checkpoint-every", 0);
        Child first = cli(x, cmd("train", opts, "--data", "train.bin", "--out", run, "--steps", 6));
        assertThat(first.code()).as(first.err()).isZero();
        String config = Files.readString(run.resolve("config.json"));
        assertThat(config).contains("\"path\": \"" + x.resolve("train.bin") + "\"", "\"bytes\": " + Files.size(trainBin),
                "\"sha256\": \"" + sha256(trainBin) + "\"");

        Map<String, String> outside = snapshot(root, run);
        Child resumed = cli(y, "train", "--out", run, "--resume", "--steps", 12);
        assertThat(resumed.code()).as(resumed.err()).isZero();
        assertThat(resumed.out()).contains("train: data " + x.resolve("train.bin") + " (", "resumed " + run + " at step 6", "finished at step 12");
        assertThat(snapshot(root, run)).as("no file outside the run was touched").isEqualTo(outside);

        // The same run without the detour gives the same model: it trained on x/train.bin all along.
        Path straight = dir.resolve("folders-straight");
        CliRun.of(cmd("train", opts, "--data", x.resolve("train.bin"), "--out", straight, "--steps", 12)).ok();
        assertThat(Files.readAllBytes(run.resolve("model/model.safetensors"))).isEqualTo(Files.readAllBytes(straight.resolve("model/model.safetensors")));

        // --data given now that names another file: refused, naming both.
        Child other = cli(y, "train", "--out", run, "--resume", "--steps", 14, "--data", "train.bin");
        assertThat(other.code()).isEqualTo(2);
        assertThat(other.err().lines().toList()).singleElement().asString()
                .contains("--data " + y.resolve("train.bin") + " is not the file this run recorded, " + x.resolve("train.bin"));
        // The recorded file changed (same size, other bytes): refused, naming it and the config that recorded it.
        byte[] bytes = Files.readAllBytes(x.resolve("train.bin"));
        bytes[bytes.length - 1] ^= 1;
        Files.write(x.resolve("train.bin"), bytes);
        Map<String, String> before = snapshot(root, dir.resolve("none"));
        Child changed = cli(y, "train", "--out", run, "--resume", "--steps", 14);
        assertThat(changed.code()).isEqualTo(1);
        assertThat(changed.err().lines().toList()).singleElement().asString()
                .contains(x.resolve("train.bin") + " has changed since it was recorded in " + run.resolve("config.json"));
        assertThat(changed.out()).isEmpty();
        assertThat(snapshot(root, dir.resolve("none"))).as("a refused resume touches nothing, not even the run").isEqualTo(before);
    }

    @Test
    void finetuneResumeRefusesAChangedDataFileNamingItAndTheConfig() throws Exception {
        Path base = dir.resolve("ft-base"), ft = dir.resolve("ft"), data = dir.resolve("ft-data.txt");
        CliRun.of(cmd("train", CONSTANT_LR, "--data", trainBin, "--tokenizer", chars, "--out", base, "--steps", 2, "--checkpoint-every", 0)).ok();
        Files.copy(text, data);
        Object[] common = {"finetune", "--model", base, "--data", data, "--loss-type", "mle", "--prefix-tokens", 12, "--continuation-tokens", 12,
                "--batch", 4, "--lr", 1e-3, "--warmup", 0, "--eval-every", 0, "--report-samples", 0, "--checkpoint-every", 2, "--out", ft};
        CliRun.of(cmd(common, "--steps", 2)).ok();
        Map<String, Object> config = io.cpo4j.engine.io.Json.parseObject(Files.readString(ft.resolve("config.json")), "config.json");
        Map<?, ?> recorded = (Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) config.get("data")).get("files")).get("data");
        assertThat(recorded.get("path")).isEqualTo(data.toString());
        assertThat(recorded.get("bytes")).isEqualTo(Files.size(data));
        assertThat(recorded.get("sha256")).isEqualTo(sha256(data));

        Files.writeString(data, "the cat sees a dog.\n", StandardOpenOption.APPEND);
        Map<String, String> before = snapshot(dir, dir.resolve("none"));
        CliRun changed = CliRun.of("finetune", "--out", ft, "--resume", "--steps", 4);
        changed.failsWith(1, data + " has changed since it was recorded in " + ft.resolve("config.json"));
        assertThat(changed.out()).isEmpty();
        assertThat(snapshot(dir, dir.resolve("none"))).as("a refused resume touches nothing").isEqualTo(before);
    }

    private static String sha256(Path file) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
