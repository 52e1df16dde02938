package io.cpo4j.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RunFolderTest {

    @TempDir
    Path dir;

    @Test
    void theCommandLineIsQuotedForTheShell() {
        assertThat(RunFolder.commandLine("train", List.of("--data", "a b.bin", "--lr", "3e-4", "--name", "it's")))
                .isEqualTo("./cpo4j train --data 'a b.bin' --lr 3e-4 --name 'it'\\''s'");
    }

    @Test
    void anExistingRunIsOnlyReusedOnResumeAndItsOptionsComeBackWithoutThreads() throws Exception {
        Options opts = Options.parse("train", List.of(), List.of(), List.of());
        Path run = dir.resolve("run");
        RunFolder fresh = RunFolder.open(run, false, opts);
        fresh.writeConfig(Map.of("options", Map.of("steps", "10", "threads", "1", "resume", true)));
        assertThatThrownBy(() -> RunFolder.open(run, false, opts)).isInstanceOf(Options.UsageException.class)
                .hasMessageContaining(run + " already holds a run").hasMessageContaining("add --resume");
        assertThat(RunFolder.open(run, true, opts).savedOptions()).contains(Map.of("steps", "10"));

        Path notRun = dir.resolve("other");
        Files.createDirectories(notRun);
        Files.writeString(notRun.resolve("notes.txt"), "mine");
        assertThat(RunFolder.open(notRun, false, opts).savedOptions()).isEmpty();
        Path file = dir.resolve("file");
        Files.writeString(file, "");
        assertThatThrownBy(() -> RunFolder.open(file, false, opts)).hasMessageContaining("is a file, not a folder");
    }
}
