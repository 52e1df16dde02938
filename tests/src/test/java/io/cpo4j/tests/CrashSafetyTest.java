package io.cpo4j.tests;

import io.cpo4j.engine.Rng;
import io.cpo4j.model.train.Checkpoints;
import io.cpo4j.model.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Training in a child JVM is killed (SIGKILL) at random moments, again and again: after every
 * kill the newest checkpoint must load, and the run resumed to the end must equal the
 * uninterrupted run parameter for parameter.
 */
class CrashSafetyTest {

    @TempDir
    Path dir;

    static final int STEPS = 40;

    private static Process start(Path runDir) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector",
                "-cp", System.getProperty("java.class.path"), CrashTrainMain.class.getName(), runDir.toString(), Integer.toString(STEPS)));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static int latestStep(Checkpoints cps) throws java.io.IOException {
        var latest = cps.latest();
        return latest.isEmpty() ? 0 : Integer.parseInt(latest.get().getFileName().toString().substring("step-".length()));
    }

    @Test
    void killedRunsAlwaysLeaveAWholeCheckpointAndResumeExactly() throws Exception {
        Trainer straight = CrashTrainMain.trainer(STEPS);
        while (!straight.finished()) straight.step();

        Path runDir = dir.resolve("run");
        Checkpoints cps = new Checkpoints(runDir.resolve("checkpoints"), 2, 0);
        Rng rng = new Rng(12);
        int kills = 0, reached = 0;
        for (int round = 0; round < 60; round++) {
            Process p = start(runDir);
            // Let the run get past the last checkpoint (however slow the machine), then kill it
            // at a random moment: mid-step, mid-checkpoint, or between.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (p.isAlive() && latestStep(cps) <= reached && System.nanoTime() < deadline) Thread.sleep(10);
            if (kills == 10) p.waitFor(120, TimeUnit.SECONDS);    // enough kills: let this one finish
            if (!p.isAlive()) {
                assertThat(p.exitValue()).as("the run ends normally").isZero();
                break;
            }
            Thread.sleep(rng.nextInt(400));
            p.destroyForcibly();                         // SIGKILL: no shutdown hook runs
            p.waitFor();
            kills++;
            Trainer probe = CrashTrainMain.trainer(STEPS);
            Checkpoints.restore(probe, cps.latest().orElseThrow());     // throws if anything is torn
            assertThat(probe.stepsDone()).isGreaterThan(reached);
            reached = probe.stepsDone();
        }
        assertThat(kills).as("the test must actually kill the run").isGreaterThanOrEqualTo(3);
        Trainer resumed = CrashTrainMain.trainer(STEPS);
        Checkpoints.restore(resumed, cps.latest().orElseThrow());
        assertThat(resumed.stepsDone()).as("the last child finished the run").isEqualTo(STEPS);
        assertThat(Arrays.equals(resumed.model().parameters().values(), straight.model().parameters().values()))
                .as("parameters after " + kills + " kills and resumes equal the uninterrupted run").isTrue();
    }
}
