package io.cpo4j.engine.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Whole-file reads stop at a cap: before reading for a file with a size, while reading for an endless one. */
class TextFilesLimitTest {

    @TempDir
    Path dir;

    @Test
    void aFileOverTheCapIsRefusedBeforeItIsReadNamingFileSizeAndCap() throws Exception {
        Path big = dir.resolve("config.json");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(1_288_490_188L);                  // 1.2 GiB, sparse: nothing is written
        }
        assertThatThrownBy(() -> TextFiles.readUtf8(big)).isInstanceOf(FormatException.class)
                .hasMessage(big + ": is 1,288,490,188 bytes (1.2 GiB), more than the limit of 67,108,864 bytes (64.0 MiB) for this kind of file"
                        + " (CPO4J_JAVA_OPTS=-Dcpo4j.maxConfigBytes=N raises it)");
    }

    @Test
    void aFileAtTheCapIsReadWholeAndOneByteMoreIsNot() throws Exception {
        Path f = dir.resolve("t.txt");
        Files.writeString(f, "héllo");                     // 6 bytes
        assertThat(TextFiles.readUtf8(f, 6)).isEqualTo("héllo");
        assertThatThrownBy(() -> TextFiles.readUtf8(f, 5)).hasMessage(f + ": is 6 bytes, more than the limit of 5 bytes for this kind of file");
    }

    @Test
    void anEndlessInputStopsOneChunkPastTheCap() throws Exception {
        Path zero = Path.of("/dev/zero");
        if (!Files.exists(zero)) return;                    // not on this OS
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> TextFiles.readBytes(zero, 3 << 20))
                .hasMessage("/dev/zero: has more than 3,145,728 bytes (3.0 MiB), the limit for this kind of file");
        assertThat((System.nanoTime() - t0) / 1e9).isLessThan(5);
    }

    @Test
    void aFifoIsReadUpToTheCap() throws Exception {
        Path fifo = dir.resolve("pipe");
        if (new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() != 0) return;   // no mkfifo here
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try (OutputStream out = Files.newOutputStream(fifo)) {
                for (int i = 0; i < 100; i++) out.write("0123456789".repeat(1000).getBytes(StandardCharsets.UTF_8));   // 1 MB, more than the cap
            } catch (Exception ignored) {
                // the reader closes the pipe when it stops at the cap
            }
        });
        assertThatThrownBy(() -> TextFiles.readBytes(fifo, 100_000)).hasMessageContaining(fifo + ": has more than 100,000 bytes (97.7 KiB), the limit for this kind of file");
        writer.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aStreamSuchAsStdinIsCappedToo() throws Exception {
        byte[] ten = "0123456789".getBytes(StandardCharsets.UTF_8);
        assertThat(TextFiles.readBytes(new java.io.ByteArrayInputStream(ten), "stdin", 10)).isEqualTo(ten);
        assertThatThrownBy(() -> TextFiles.readBytes(new java.io.ByteArrayInputStream(ten), "stdin", 9))
                .hasMessage("stdin: has more than 9 bytes, the limit for this kind of file");
    }

    @Test
    void aFolderOrAMissingFileIsNamed() {
        assertThatThrownBy(() -> TextFiles.readUtf8(dir)).hasMessage(dir + ": is a folder, expected a file");
        assertThatThrownBy(() -> TextFiles.readUtf8(dir.resolve("none.json"))).hasMessage(dir.resolve("none.json") + ": file not found");
    }

    @Test
    void theCapsCanBeChangedWithASystemProperty() {
        System.setProperty("cpo4j.maxDataBytes", "1000");
        try {
            assertThat(TextFiles.dataCap()).isEqualTo(1000);
        } finally {
            System.clearProperty("cpo4j.maxDataBytes");
        }
        assertThat(TextFiles.dataCap()).isEqualTo(1L << 30);
        assertThat(TextFiles.configCap()).isEqualTo(64L << 20);
    }
}
