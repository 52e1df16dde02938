package io.cpo4j.tests;

import io.cpo4j.engine.io.Json;
import io.cpo4j.model.train.Checkpoints;
import io.cpo4j.model.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ctrl-C or {@code kill} (SIGINT / SIGTERM, a JVM shutdown) in the middle of a run that has not
 * checkpointed yet: the run saves a checkpoint of the last finished step before the JVM exits,
 * and that checkpoint resumes.
 */
class GracefulStopTest {

    @TempDir
    Path dir;

    @Test
    void sigtermSavesTheLastFinishedStep() throws Exception {
        Path runDir = dir.resolve("run");
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                CrashTrainMain.class.getName(), runDir.toString(), "100000", "0"));            // never checkpoints on its own
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Path metrics = runDir.resolve("metrics.jsonl");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (p.isAlive() && trainRows(metrics) < 3 && System.nanoTime() < deadline) Thread.sleep(10);
        assertThat(p.isAlive()).as("the run is still training").isTrue();
        p.destroy();                                                                        // SIGTERM: shutdown hooks run
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the run ends after saving").isTrue();

        Checkpoints cps = new Checkpoints(runDir.resolve("checkpoints"), 2, 0);
        int logged = trainRows(metrics);
        Trainer resumed = CrashTrainMain.trainer(100000, 0);
        Checkpoints.restore(resumed, cps.latest().orElseThrow(() -> new AssertionError("no checkpoint was saved on SIGTERM")));
        assertThat(resumed.stepsDone()).as("the checkpoint holds the last logged step").isEqualTo(logged).isGreaterThanOrEqualTo(3);
        resumed.step();
        assertThat(resumed.stepsDone()).isEqualTo(logged + 1);
    }

    private static int trainRows(Path metrics) throws java.io.IOException {
        if (!Files.exists(metrics)) return 0;
        int n = 0;
        for (String line : Files.readAllLines(metrics)) {
            try {
                if ("train".equals(Json.parseObject(line, "metrics.jsonl").get("kind"))) n++;
            } catch (io.cpo4j.engine.io.FormatException torn) {
                // the line being written
            }
        }
        return n;
    }
}
