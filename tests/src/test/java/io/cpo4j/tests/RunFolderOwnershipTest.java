package io.cpo4j.tests;

import io.cpo4j.engine.io.AtomicFiles;
import io.cpo4j.engine.io.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 25: a run folder is owned by one process (two runs on one --out: one is refused, naming
 * the other; the folder holds exactly the winner's run), a lock left by a dead process is taken
 * over with a note, an --out that holds someone else's files is refused without --overwrite
 * (and / and the home folder always), and output files get the umask's permissions.
 */
class RunFolderOwnershipTest {

    @TempDir
    static Path dir;

    static Path chars, trainBin, model;

    static final String LOCK = ".cpo4j.lock";

    @BeforeAll
    static void data() throws Exception {
        Path text = dir.resolve("corpus.txt");
        Files.writeString(text, CliTrainingTest.corpus(200, 1));
        chars = dir.resolve("chars");
        CliRun.of("tokenizer", "train", "--type", "char", "--data", text, "--out", chars).ok();
        trainBin = dir.resolve("train.bin");
        CliRun.of("tokenizer", "tokenize", "--tokenizer", chars, "--data", text, "--out", trainBin).ok();
        model = dir.resolve("base");
        CliRun.of(train(model, 1, 2).toArray()).ok();
    }

    private static List<String> train(Path out, int seed, int steps) {
        return List.of("train", "--data", trainBin.toString(), "--tokenizer", chars.toString(), "--out", out.toString(), "--seed", Integer.toString(seed),
                "--steps", Integer.toString(steps), "--batch", "4", "--lr", "2e-3", "--warmup", "0", "--eval-every", "0", "--checkpoint-every", "2",
                "--report-samples", "1", "--layers", "1", "--heads", "2", "--width", "32", "--context", "48");
    }

    private static Process start(List<String> args, Path stdout, Path stderr) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                io.cpo4j.cli.Main.class.getName()));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
    }

    /** Every file under {@code root} with its bytes and modification time, to show nothing changed. */
    private static Map<String, String> snapshot(Path root) throws Exception {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList()) {
                String key = root.relativize(p).toString() + (Files.isDirectory(p) ? "/" : "");
                String content = Files.isDirectory(p) ? "" : Arrays.hashCode(Files.readAllBytes(p)) + ":" + Files.size(p);
                m.put(key, content + "@" + Files.getLastModifiedTime(p).toMillis());
            }
        }
        return m;
    }

    @Test
    void twoRunsStartedTogetherOnOneOutEndWithOneRefusedAndTheOtherRunWhole() throws Exception {
        Path out = dir.resolve("dup");
        int steps = 12;
        Path[] logs = {dir.resolve("a.out"), dir.resolve("a.err"), dir.resolve("b.out"), dir.resolve("b.err")};
        Process a = start(train(out, 1, steps), logs[0], logs[1]);
        Process b = start(train(out, 2, steps), logs[2], logs[3]);
        assertThat(a.waitFor(300, TimeUnit.SECONDS) && b.waitFor(300, TimeUnit.SECONDS)).as("both end").isTrue();

        boolean aWon = a.exitValue() == 0;
        Process winner = aWon ? a : b, loser = aWon ? b : a;
        Path loserErr = aWon ? logs[3] : logs[1], winnerErr = aWon ? logs[1] : logs[3];
        int winnerSeed = aWon ? 1 : 2;
        assertThat(winner.exitValue()).as("the winner finishes; stderr: %s", Files.readString(winnerErr)).isZero();
        assertThat(loser.exitValue()).as("the second writer is refused as a usage error").isEqualTo(2);
        // the JVM's own notice about the incubator module (the ./cpo4j launcher silences it) is not ours
        List<String> refusal = Files.readAllLines(loserErr).stream().filter(l -> !l.startsWith("WARNING: Using incubator modules")).toList();
        assertThat(refusal).as("one line naming the holder").hasSize(1);
        // Overlapping, the second is refused naming the holder; on a loaded machine the first may
        // have ended before the second looks, and then the folder holds a finished run.
        String held = "cpo4j train: --out " + out + " is in use by pid " + winner.pid() + " on host " + InetAddress.getLocalHost().getHostName() + " (train, since ";
        String finished = "cpo4j train: " + out + " already holds a run (";
        assertThat(refusal.get(0)).satisfiesAnyOf(
                line -> assertThat(line).startsWith(held).endsWith("); wait for it to end or choose another --out"),
                line -> assertThat(line).startsWith(finished).contains("add --resume to continue it"));

        // The folder is the winner's run only: its config, every step once in metrics, its model and report.
        Map<String, Object> config = Json.parseObject(Files.readString(out.resolve("config.json")), "config.json");
        assertThat(((Map<?, ?>) config.get("options")).get("seed")).isEqualTo(Integer.toString(winnerSeed));
        List<Long> trainSteps = CliRun.metrics(out).stream().filter(r -> "train".equals(r.get("kind"))).map(r -> ((Number) r.get("step")).longValue()).toList();
        assertThat(trainSteps).containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, steps).boxed().toList());
        assertThat(out.resolve("model/model.safetensors")).isRegularFile();
        assertThat(out.resolve("model/chars.json")).isRegularFile();
        assertThat(out.resolve("report.html")).isRegularFile();
        assertThat(out.resolve("checkpoints/step-000000" + steps)).isDirectory();
        assertThat(out.resolve(LOCK)).as("released at the end").doesNotExist();
        try (Stream<Path> s = Files.list(out)) {
            assertThat(s.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly("checkpoints", "config.json", "metrics.jsonl", "model", "report.html");
        }
    }

    @Test
    void aLockLeftByADeadProcessIsTakenOverWithANoteAndOneOfAnotherHostIsRefused() throws Exception {
        Process gone = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-version").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        gone.waitFor();
        assertThat(ProcessHandle.of(gone.pid()).map(ProcessHandle::isAlive).orElse(false)).as("a dead pid").isFalse();
        String host = InetAddress.getLocalHost().getHostName();

        Path out = dir.resolve("stale");
        Files.createDirectories(out);
        Files.writeString(out.resolve(LOCK), "{\"pid\":" + gone.pid() + ",\"host\":\"" + host + "\",\"since\":\"2026-01-02T03:04:05Z\",\"command\":\"train\"}\n");
        CliRun r = CliRun.of(train(out, 1, 2).toArray()).ok();
        assertThat(r.err()).isEqualTo("train: note: took over " + out.resolve(LOCK) + " left by pid " + gone.pid() + " on host " + host
                + " (train, since 2026-01-02T03:04:05Z), which is no longer running" + System.lineSeparator());
        assertThat(out.resolve("model/model.safetensors")).isRegularFile();
        assertThat(out.resolve(LOCK)).doesNotExist();

        Path elsewhere = dir.resolve("other-host");
        Files.createDirectories(elsewhere);
        Files.writeString(elsewhere.resolve(LOCK), "{\"pid\":1,\"host\":\"not-" + host + "\",\"since\":\"2026-01-02T03:04:05Z\",\"command\":\"finetune\"}\n");
        Map<String, String> before = snapshot(elsewhere);
        CliRun.of(train(elsewhere, 1, 2).toArray()).failsWith(2, "cpo4j train: --out " + elsewhere + " is in use by pid 1 on host not-" + host
                + " (finetune, since 2026-01-02T03:04:05Z) (on another host, which this machine cannot check); if that run has ended, delete " + elsewhere.resolve(LOCK));
        assertThat(snapshot(elsewhere)).isEqualTo(before);
    }

    @Test
    void anOutThatHoldsOtherFilesIsRefusedUntouchedUnlessOverwriteAndRootAndHomeAlways() throws Exception {
        Path parent = dir.resolve("foreign-parent");
        Path out = parent.resolve("foreign");
        Files.createDirectories(out.resolve("model"));
        Files.writeString(out.resolve("report.html"), "<html>someone's report</html>");
        Files.writeString(out.resolve("notes.txt"), "mine");
        Files.writeString(out.resolve("model/vocab.json"), "{\"a\": 0}");
        Files.writeString(out.resolve("model/merges.txt"), "#version: 0.2\n");
        Files.writeString(out.resolve("model/config.json"), "{\"model_type\": \"gpt2\"}");
        Map<String, String> before = snapshot(parent);

        String what = "(model/, notes.txt, report.html)";
        CliRun.of(train(out, 1, 2).toArray()).failsWith(2, "cpo4j train: --out " + out + " is not empty and holds no run " + what + "; choose a new folder, or add --overwrite");
        CliRun.of(train(out, 1, 2).toArray()).failsWith(2, "replacing any config.json, metrics.jsonl, checkpoints, model, adapter, report.html");
        CliRun.of("ensemble", "--mle", model, "--cpo", model, "--alpha", 0.5, "--out", out)
                .failsWith(2, "cpo4j ensemble: --out " + out + " is not empty " + what + "; choose a new folder, or add --overwrite to write the model there");
        CliRun.of("tokenizer", "train", "--type", "char", "--data", dir.resolve("corpus.txt"), "--out", out)
                .failsWith(2, "cpo4j tokenizer train: --out " + out + " is not empty " + what + "; choose a new folder, or add --overwrite to write the tokenizer there");
        CliRun.of("demo", "--quick", "--out", out).failsWith(2, "cpo4j demo: --out " + out + " is not empty " + what + "; choose a new folder, or add --overwrite to write the demo there");
        assertThat(snapshot(parent)).as("nothing in or beside the folder changed").isEqualTo(before);

        CliRun.of(train(Path.of("/"), 1, 2).toArray()).failsWith(2, "cpo4j train: --out / is the root folder");
        List<String> overwriteRoot = new ArrayList<>(train(Path.of("/"), 1, 2));
        overwriteRoot.add("--overwrite");
        CliRun.of(overwriteRoot.toArray()).failsWith(2, "cpo4j train: --out / is the root folder; choose a folder of its own for the output");
        CliRun.of("ensemble", "--mle", model, "--cpo", model, "--alpha", 0.5, "--out", "/", "--overwrite").failsWith(2, "--out / is the root folder");
        Path home = Path.of(System.getProperty("user.home"));
        List<String> overwriteHome = new ArrayList<>(train(home, 1, 2));
        overwriteHome.add("--overwrite");
        CliRun.of(overwriteHome.toArray()).failsWith(2, "cpo4j train: --out " + home + " is the home folder itself");

        List<String> overwrite = new ArrayList<>(train(out, 1, 2));
        overwrite.add("--overwrite");
        CliRun.of(overwrite.toArray()).ok();
        assertThat(out.resolve("notes.txt")).as("not the run's: kept").hasContent("mine");
        assertThat(out.resolve("model/vocab.json")).as("the old model/ is replaced whole, no stale tokenizer").doesNotExist();
        assertThat(out.resolve("model/chars.json")).isRegularFile();
        assertThat(Files.readString(out.resolve("report.html"))).contains("cpo4j train");
        List<String> resume = new ArrayList<>(train(out, 1, 2));
        resume.add("--resume");
        CliRun.of(resume.toArray()).ok();                // the saved --overwrite does not come back with --resume
    }

    @Test
    void aStopWhileTheFinalModelAndReportAreWrittenStillWritesThem() throws Exception {
        Path out = dir.resolve("stopped-at-the-end");
        int steps = 4;
        List<String> args = new ArrayList<>(train(out, 1, steps));
        args.set(args.indexOf("--report-samples") + 1, "40");          // a final phase long enough to be stopped in
        Process p = start(args, dir.resolve("stop.out"), dir.resolve("stop.err"));
        Path last = out.resolve("checkpoints/step-0000000" + steps);   // saved when training is done, before model/ and the report
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (p.isAlive() && !Files.isDirectory(last) && System.nanoTime() < deadline) Thread.sleep(5);
        p.destroy();                                                   // SIGTERM: the same JVM shutdown as Ctrl-C
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("stopped by the signal, not finished before it; stdout: %s", Files.readString(dir.resolve("stop.out"))).isEqualTo(143);
        assertThat(out.resolve("model/model.safetensors")).isRegularFile();
        assertThat(out.resolve("report.html")).isRegularFile();
        assertThat(Files.readString(dir.resolve("stop.out"))).contains("train: finished at step " + steps, "train: model " + out.resolve("model"));
        assertThat(out.resolve(LOCK)).doesNotExist();
    }

    @Test
    void outputFilesAndFoldersGetTheUmasksPermissions() throws Exception {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "POSIX permissions only: this file system has none");
        Path probe = dir.resolve("probe");
        Files.createDirectories(probe);
        Set<PosixFilePermission> plainFile = Files.getPosixFilePermissions(Files.createFile(probe.resolve("plain")));
        Set<PosixFilePermission> plainDir = Files.getPosixFilePermissions(Files.createDirectory(probe.resolve("plain-dir")));

        AtomicFiles.writeString(probe.resolve("atomic.txt"), "x");
        assertThat(Files.getPosixFilePermissions(probe.resolve("atomic.txt"))).isEqualTo(plainFile);

        Path out = dir.resolve("umask-run");
        CliRun.of(train(out, 1, 4).toArray()).ok();
        List<Path> all;
        try (Stream<Path> s = Files.walk(out)) {
            all = s.toList();
        }
        assertThat(all).hasSizeGreaterThan(8);
        for (Path p : all) {
            assertThat(Files.getPosixFilePermissions(p)).as(p.toString()).isEqualTo(Files.isDirectory(p) ? plainDir : plainFile);
        }
        assertThat(new String(Files.readAllBytes(out.resolve("metrics.jsonl")), StandardCharsets.UTF_8)).contains("\"step\":4");
    }
}
