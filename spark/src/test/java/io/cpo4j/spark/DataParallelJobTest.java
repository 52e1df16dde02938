package io.cpo4j.spark;

import io.cpo4j.cli.Main;
import io.cpo4j.engine.Rng;
import io.cpo4j.engine.io.SafeTensors;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Data-parallel training in {@code local[2]}: two barrier tasks in one JVM, talking over loopback. */
class DataParallelJobTest {

    @TempDir
    static Path dir;

    static SparkContext spark;
    static Path trainBin, chars;

    @BeforeAll
    static void start() throws Exception {
        spark = local2();
        makeData(dir);
    }

    static SparkContext local2() {
        return new SparkContext(new SparkConf().setMaster("local[2]").setAppName("cpo4j-test").set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1").set("spark.ui.enabled", "false"));
    }

    /** A character tokenizer and a token shard of a small made-up corpus, in {@code dir}. */
    static void makeData(Path dir) throws Exception {
        Path text = dir.resolve("corpus.txt");
        Files.writeString(text, corpus(200, 1));
        chars = dir.resolve("chars");
        cli("tokenizer", "train", "--type", "char", "--data", text.toString(), "--out", chars.toString());
        trainBin = dir.resolve("train.bin");
        cli("tokenizer", "tokenize", "--tokenizer", chars.toString(), "--data", text.toString(), "--out", trainBin.toString());
    }

    @AfterAll
    static void stop() {
        if (spark != null) spark.stop();
    }

    static String corpus(int paragraphs, long seed) {
        String[] subjects = {"the cat", "a dog", "the old man", "my sister", "the bird"};
        String[] verbs = {"sees", "likes", "finds", "draws", "feeds"};
        String[] objects = {"the red ball", "a small fish", "the green tree", "two apples", "the river"};
        Rng rng = new Rng(seed);
        StringBuilder sb = new StringBuilder();
        for (int p = 0; p < paragraphs; p++) {
            for (int s = 0, n = 3 + rng.nextInt(4); s < n; s++) {
                sb.append(subjects[rng.nextInt(5)]).append(' ').append(verbs[rng.nextInt(5)]).append(' ').append(objects[rng.nextInt(5)]).append(". ");
            }
            sb.append("\n\n");
        }
        return sb.toString();
    }

    static void cli(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).as("%s: %s", String.join(" ", args), err.toString(StandardCharsets.UTF_8)).isZero();
    }

    static List<String> train(int steps) {
        return new ArrayList<>(List.of("train", "--data", trainBin.toString(), "--tokenizer", chars.toString(), "--seed", "3", "--steps", Integer.toString(steps),
                "--batch", "4", "--lr", "2e-3", "--warmup", "0", "--eval-every", "0", "--checkpoint-every", "3", "--report-samples", "0",
                "--layers", "1", "--heads", "2", "--width", "32", "--context", "48", "--threads", "1"));
    }

    static DataParallelJob.Result onSpark(List<String> command, Path out, int workers, int restarts, String faults) throws IOException {
        return onSpark(spark, command, out, workers, restarts, faults, Duration.ofSeconds(60));
    }

    static DataParallelJob.Result onSpark(SparkContext spark, List<String> command, Path out, int workers, int restarts, String faults) throws IOException {
        return onSpark(spark, command, out, workers, restarts, faults, Duration.ofSeconds(60));
    }

    /** Runs {@code command} on {@code workers} tasks; replicas give up on a silent peer after {@code timeout}. */
    static DataParallelJob.Result onSpark(SparkContext spark, List<String> command, Path out, int workers, int restarts, String faults, Duration timeout)
            throws IOException {
        List<String> args = new ArrayList<>(command);
        args.addAll(List.of("--out", out.toUri().toString()));
        spark.setLocalProperty(Faults.CONF, faults);
        try {
            // 4 KB buckets: the toy model's ~70 KB of gradients travel in many buckets during the backward pass
            return new DataParallelJob(spark, workers, restarts, timeout, new PrintStream(new ByteArrayOutputStream())).bucketBytes(4096).run(args);
        } finally {
            spark.setLocalProperty(Faults.CONF, null);
        }
    }

    static float[] weights(Path runDir) throws IOException {
        SafeTensors st = SafeTensors.open(runDir.resolve("model/model.safetensors"));
        List<String> names = new ArrayList<>(st.names());
        java.util.Collections.sort(names);
        int n = 0;
        List<float[]> parts = new ArrayList<>();
        for (String name : names) {
            float[] f = st.floats(name);
            parts.add(f);
            n += f.length;
        }
        float[] all = new float[n];
        int at = 0;
        for (float[] f : parts) {
            System.arraycopy(f, 0, all, at, f.length);
            at += f.length;
        }
        return all;
    }

    /** The train rows' losses of metrics.jsonl, in order. */
    static List<Double> losses(Path runDir) throws IOException {
        List<Double> out = new ArrayList<>();
        for (String line : Files.readAllLines(runDir.resolve("metrics.jsonl"))) {
            var row = io.cpo4j.engine.io.Json.parseObject(line, "metrics.jsonl");
            if ("train".equals(row.get("kind"))) out.add(((Number) row.get("loss")).doubleValue());
        }
        return out;
    }

    private static String hashOf(String line) {
        return line.split(" ")[3];
    }

    @Test
    void twoReplicasTrainAsOneProcessDoesOnTheSameGlobalBatchAndRepeatBitForBit() throws Exception {
        Path alone = dir.resolve("alone");
        List<String> one = train(6);
        one.addAll(List.of("--out", alone.toString()));
        cli(one.toArray(String[]::new));

        Path a = dir.resolve("spark-a"), b = dir.resolve("spark-b");
        List<String> viaHadoop = train(6);                               // inputs as Hadoop URIs: each task fetches them
        viaHadoop.set(viaHadoop.indexOf(trainBin.toString()), trainBin.toUri().toString());
        viaHadoop.set(viaHadoop.indexOf(chars.toString()), chars.toUri().toString());
        DataParallelJob.Result first = onSpark(viaHadoop, a, 2, 0, null);
        DataParallelJob.Result second = onSpark(train(6), b, 2, 0, null);

        assertThat(first.replicas()).hasSize(2);
        assertThat(hashOf(first.replicas().get(0))).as("replicas identical").isEqualTo(hashOf(first.replicas().get(1)));
        assertThat(Files.readAllBytes(a.resolve("model/model.safetensors"))).as("a run repeats bit for bit").isEqualTo(Files.readAllBytes(b.resolve("model/model.safetensors")));
        assertThat(second.replicas().stream().map(DataParallelJobTest::hashOf)).containsExactlyElementsOf(first.replicas().stream().map(DataParallelJobTest::hashOf).toList());

        float[] together = weights(a), single = weights(alone);
        assertThat(together).hasSameSizeAs(single);
        double maxDiff = 0;
        for (int i = 0; i < single.length; i++) maxDiff = Math.max(maxDiff, Math.abs(together[i] - single[i]));
        assertThat(maxDiff).as("only the order of the gradient sums differs").isLessThan(2e-4);
        assertThat(a.resolve("checkpoints/step-00000003/" + RingReplica.STREAMS)).isRegularFile();
        assertThat(a.resolve("checkpoints/step-00000006")).isDirectory();
        assertThat(a.resolve("report.html")).isRegularFile();
        assertThat(Files.readString(a.resolve("config.json"))).as("the published config names the shared folder").contains("file://" + a)
                .doesNotContain("cpo4j-replica-");
        List<Double> losses = losses(a), alonesLosses = losses(alone);
        assertThat(losses).hasSize(6);
        for (int i = 0; i < losses.size(); i++) assertThat(losses.get(i)).as("step %d's loss, the mean over both shares", i + 1).isCloseTo(alonesLosses.get(i), within(1e-4));
        assertThat(losses.get(5)).as("it trains").isLessThan(losses.get(0) - 0.1);
    }

    @Test
    void aReplicaThatFailsIsRestartedFromTheNewestCheckpointAndEndsAsACleanRun() throws Exception {
        Path clean = dir.resolve("clean"), faulty = dir.resolve("faulty");
        List<String> withDropout = train(6);                             // each replica's own dropout stream must resume too
        withDropout.addAll(List.of("--dropout", "0.1"));
        withDropout.set(withDropout.indexOf(trainBin.toString()), trainBin.toUri().toString());   // fetched again by the restarted tasks
        withDropout.set(withDropout.indexOf(chars.toString()), chars.toUri().toString());
        onSpark(withDropout, clean, 2, 0, null);
        DataParallelJob.Result r = onSpark(withDropout, faulty, 2, 1, "throw:1:5");
        assertThat(r.restarts()).isEqualTo(1);
        assertThat(Files.readAllBytes(faulty.resolve("model/model.safetensors"))).isEqualTo(Files.readAllBytes(clean.resolve("model/model.safetensors")));
        assertThat(losses(faulty)).as("every step once, with the clean run's loss").isEqualTo(losses(clean));
        List<?> streams = (List<?>) io.cpo4j.engine.io.Json.parse(Files.readString(clean.resolve("checkpoints/step-00000003/" + RingReplica.STREAMS)), "replicas.json");
        assertThat(((Map<?, ?>) streams.get(0)).get("dropout_rng")).as("each replica drops its own positions").isNotEqualTo(((Map<?, ?>) streams.get(1)).get("dropout_rng"));
    }

    @Test
    void cpoFineTuningRunsOnTwoReplicasEachSamplingItsOwnNegatives() throws Exception {
        Path base = dir.resolve("base");
        List<String> pretrain = train(2);
        pretrain.addAll(List.of("--out", base.toString()));
        cli(pretrain.toArray(String[]::new));
        Path run = dir.resolve("cpo");
        DataParallelJob.Result r = onSpark(spark, new ArrayList<>(List.of("finetune", "--model", base.resolve("model").toString(), "--data", dir.resolve("corpus.txt").toString(),
                "--loss-type", "cpo", "--negatives", "autoregressive,truncation", "--k", "3", "--steps", "4", "--batch", "2", "--lr", "1e-3", "--warmup", "0",
                "--eval-every", "0", "--checkpoint-every", "2", "--threads", "1", "--seed", "5")), run, 2, 0, null);
        assertThat(hashOf(r.replicas().get(0))).as("replicas identical").isEqualTo(hashOf(r.replicas().get(1)));
        assertThat(losses(run)).hasSize(4).allSatisfy(loss -> assertThat(loss).isFinite().isPositive());
        List<?> streams = (List<?>) io.cpo4j.engine.io.Json.parse(Files.readString(run.resolve("checkpoints/step-00000002/" + RingReplica.STREAMS)), "replicas.json");
        Map<?, ?> first = (Map<?, ?>) ((Map<?, ?>) streams.get(0)).get("objective"), second = (Map<?, ?>) ((Map<?, ?>) streams.get(1)).get("objective");
        assertThat(first.get("data")).as("one data stream").isEqualTo(second.get("data"));
        assertThat(first.get("negatives")).as("each replica samples its own negatives").isNotEqualTo(second.get("negatives"));
        assertThat(Files.readString(run.resolve("metrics.jsonl"))).contains("\"rewards/accuracies\"");
    }

    @Test
    void aPeerThatStopsAnsweringFailsTheStageWithinTheTimeout() {
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> onSpark(spark, train(4), dir.resolve("hung"), 2, 0, "hang:1:2", Duration.ofSeconds(5)))
                .isInstanceOf(IOException.class).hasMessageContaining("the training stage failed 1 time(s)")
                .hasMessageContaining("replica 0 of 2").hasMessageContaining("rank 1");
        assertThat((System.nanoTime() - t0) / 1e9).as("seconds").isLessThan(60);
    }
}
