package io.cpo4j.model.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Which checkpoints are listed, kept and resumed from: step numbers of any width, the last finite state, diverged saves. */
class CheckpointRetentionTest {

    @TempDir
    Path dir;

    private static String name(Path p) {
        return p.getFileName().toString();
    }

    @Test
    void stepNumbersOfAnyWidthAreListedInNumericOrderAndPruned() throws IOException {
        Trainer t = TrainerTest.trainer(5);
        Checkpoints cps = new Checkpoints(dir, 3, 0);
        for (int step : new int[] {99_999_999, 100_000_000, 7, 1_000_000_001, 100_000_001}) {
            t.restoreCounters(step, 0);
            cps.save(t, 1.0);
        }
        // 8-digit names and wider ones (from step 100,000,000 on) are ordered by value, not as text.
        assertThat(cps.list()).extracting(CheckpointRetentionTest::name)
                .containsExactly("step-100000000", "step-100000001", "step-1000000001");
        assertThat(name(cps.latest().orElseThrow())).isEqualTo("step-1000000001");
        Trainer restored = TrainerTest.trainer(5);
        Checkpoints.restore(restored, cps.latest().orElseThrow());
        assertThat(restored.stepsDone()).isEqualTo(1_000_000_001);
    }

    @Test
    void pruningKeepsTheNewestFiniteCheckpointAndResumeUsesIt() throws IOException {
        Trainer t = TrainerTest.trainer(10);
        Checkpoints cps = new Checkpoints(dir, 1, 0);
        t.step();
        t.step();
        cps.save(t, 2.5);
        for (int i = 0; i < 2; i++) {
            t.step();
            t.step();
            cps.save(t, Double.NaN);              // a checkpoint after a skipped (non-finite) step
        }
        assertThat(cps.list()).extracting(CheckpointRetentionTest::name).containsExactly("step-00000002", "step-00000006");
        assertThat(name(cps.latest().orElseThrow())).as("the newest good checkpoint").isEqualTo("step-00000002");
        t.step();
        Path diverged = cps.saveDiverged(t, 2.4e16);
        assertThat(name(diverged)).isEqualTo("step-00000007-diverged");
        assertThat(cps.list()).as("a diverged save prunes nothing and is not listed").extracting(CheckpointRetentionTest::name)
                .containsExactly("step-00000002", "step-00000006");
        assertThat(Checkpoints.isGood(diverged)).isFalse();
        t.step();
        cps.save(t, 1.5);
        assertThat(cps.list()).as("a newer finite checkpoint replaces the older ones").extracting(CheckpointRetentionTest::name)
                .containsExactly("step-00000008");
        assertThat(diverged).exists();
    }

    @Test
    void aTornLastLineIsCutBackToTheLastCompleteLine() throws IOException {
        Path f = dir.resolve("metrics.jsonl");
        java.nio.file.Files.writeString(f, "{\"step\":1}\n{\"step\":2}\n{\"step\":3,\"lo");
        assertThat(MetricsLog.cutTornTail(f)).isEqualTo(13);
        assertThat(java.nio.file.Files.readString(f)).isEqualTo("{\"step\":1}\n{\"step\":2}\n");
        assertThat(MetricsLog.cutTornTail(f)).isZero();
        java.nio.file.Files.writeString(f, "x".repeat(20_000));          // no newline at all, longer than one read
        assertThat(MetricsLog.cutTornTail(f)).isEqualTo(20_000);
        assertThat(java.nio.file.Files.size(f)).isZero();
        try (MetricsLog log = new MetricsLog(f)) {
            log.append(1, "train", java.util.Map.of("loss", 1.0));
        }
        java.nio.file.Files.writeString(f, "{\"step\":2,\"ki", java.nio.file.StandardOpenOption.APPEND);
        try (MetricsLog log = new MetricsLog(f)) {                      // opening heals before appending
            log.append(2, "train", java.util.Map.of("loss", 0.5));
        }
        assertThat(java.nio.file.Files.readAllLines(f)).containsExactly("{\"step\":1,\"kind\":\"train\",\"loss\":1.0}", "{\"step\":2,\"kind\":\"train\",\"loss\":0.5}");
    }
}
