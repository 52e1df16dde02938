package io.cpo4j.tests;

import io.cpo4j.engine.Rng;
import io.cpo4j.engine.io.AtomicFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every file the library writes (weights, configs, tokenizers, shards, reports) goes through
 * {@link AtomicFiles}: whether the writer fails or the process is killed mid-write, the target
 * holds either its old content or the whole new content, never a torn mix.
 */
class AtomicWriteTest {

    static final int SIZE = 4 << 20;

    @TempDir
    Path dir;

    @Test
    void aWriteThatFailsLeavesTheOldFileAndNoTemporaryFile() throws IOException {
        Path target = dir.resolve("model.safetensors");
        Files.writeString(target, "old");
        assertThatThrownBy(() -> AtomicFiles.write(target, out -> {
            out.write(new byte[100_000]);
            throw new IOException("disk full");
        })).hasMessage("disk full");
        assertThat(Files.readString(target)).isEqualTo("old");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("model.safetensors");
        }
    }

    /** The child process: rewrites the file again and again, each time wholly of one byte value. */
    public static void main(String[] args) throws IOException {
        Path target = Path.of(args[0]);
        for (int round = 0; ; round++) {
            byte[] content = new byte[SIZE];
            Arrays.fill(content, (byte) ('a' + round % 26));
            AtomicFiles.write(target, out -> {
                for (int i = 0; i < SIZE; i += 4096) out.write(content, i, 4096);   // many small writes: a long window to be killed in
            });
        }
    }

    @Test
    void aProcessKilledMidWriteLeavesTheOldOrTheWholeNewFile() throws Exception {
        Path target = dir.resolve("weights.bin");
        Rng rng = new Rng(5);
        String java = ProcessHandle.current().info().command().orElse("java");
        for (int round = 0; round < 6; round++) {
            List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), AtomicWriteTest.class.getName(), target.toString()));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(target) && System.nanoTime() < deadline) Thread.sleep(5);   // at least one whole write
            Thread.sleep(rng.nextInt(300));
            p.destroyForcibly();                                                          // SIGKILL
            p.waitFor();
            byte[] b = Files.readAllBytes(target);
            assertThat(b.length).as("round %d: the file is whole", round).isEqualTo(SIZE);
            byte first = b[0];
            for (int i = 0; i < b.length; i++) {
                if (b[i] != first) throw new AssertionError("round " + round + ": torn file, byte " + i + " is " + b[i] + " after " + first);
            }
        }
    }
}
