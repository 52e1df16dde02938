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

    private static final java.io.PrintStream ERR = new java.io.PrintStream(java.io.OutputStream.nullOutputStream());

    private static RunFolder open(Path dir, boolean resume, boolean overwrite, Options opts) throws Exception {
        return RunFolder.open(dir, "train", resume, overwrite, opts, ERR);
    }

    @Test
    void anExistingRunIsOnlyReusedOnResumeAndItsOptionsComeBackWithoutThreads() throws Exception {
        Options opts = Options.parse("train", List.of(), List.of(), List.of());
        Path run = dir.resolve("run");
        try (RunFolder fresh = open(run, false, false, opts)) {
            fresh.writeConfig(Map.of("options", Map.of("steps", "10", "threads", "1", "resume", true, "overwrite", true)));
        }
        assertThatThrownBy(() -> open(run, false, false, opts)).isInstanceOf(Options.UsageException.class)
                .hasMessageContaining(run + " already holds a run (config.json)").hasMessageContaining("add --resume");
        try (RunFolder again = open(run, true, false, opts)) {
            assertThat(again.savedOptions(List.of("model"))).contains(Map.of("steps", "10"));
        }
        try (RunFolder replaced = open(run, false, true, opts)) {
            assertThat(replaced.config()).doesNotExist();
        }

        Path notRun = dir.resolve("other");
        Files.createDirectories(notRun);
        Files.writeString(notRun.resolve("notes.txt"), "mine");
        assertThatThrownBy(() -> open(notRun, false, false, opts)).isInstanceOf(Options.UsageException.class)
                .hasMessage("train: --out " + notRun + " is not empty and holds no run (notes.txt); choose a new folder, or add --overwrite "
                        + "(without --resume) to write the run there, replacing any config.json, metrics.jsonl, checkpoints, model, adapter, report.html");
        try (RunFolder over = open(notRun, false, true, opts)) {
            assertThat(over.savedOptions(List.of("model"))).isEmpty();
        }
        assertThat(notRun.resolve("notes.txt")).hasContent("mine");
        Path file = dir.resolve("file");
        Files.writeString(file, "");
        assertThatThrownBy(() -> open(file, false, false, opts)).hasMessageContaining("is a file, not a folder");
        assertThatThrownBy(() -> open(Path.of("/"), false, true, opts)).hasMessage("train: --out / is the root folder; choose a folder of its own for the output");
        assertThatThrownBy(() -> open(Path.of(System.getProperty("user.home")), false, true, opts)).hasMessageContaining("is the home folder itself");
    }

    @Test
    void resumeReadsRelativeModelAndTokenizerPathsFromWhereTheRunStarted() throws Exception {
        Options opts = Options.parse("finetune", List.of(), List.of(), List.of());
        Path run = dir.resolve("ft");
        try (RunFolder fresh = open(run, false, false, opts)) {
            fresh.writeConfig(Map.of("options", Map.of("model", "base", "tokenizer", "/abs/tok", "steps", "3")));
        }
        String started = Path.of("").toAbsolutePath().toString();
        try (RunFolder again = open(run, true, false, opts)) {
            assertThat(again.savedOptions(List.of("model", "tokenizer")).orElseThrow()).containsEntry("model", Path.of(started, "base").toString())
                    .containsEntry("tokenizer", "/abs/tok").containsEntry("steps", "3");
        }
        Files.writeString(run.resolve("config.json"), "{\"working_dir\": \"/elsewhere\", \"options\": {\"init\": \"runs/a/../b\"}}");
        try (RunFolder again = open(run, true, false, opts)) {
            assertThat(again.savedOptions(List.of("init", "tokenizer")).orElseThrow()).containsEntry("init", "/elsewhere/runs/b");
        }
        // train's --model is a preset name: not a folder option, it stays as given.
        Files.writeString(run.resolve("config.json"), "{\"working_dir\": \"/elsewhere\", \"options\": {\"model\": \"llama-tiny\"}}");
        try (RunFolder again = open(run, true, false, opts)) {
            assertThat(again.savedOptions(List.of("init", "tokenizer")).orElseThrow()).containsEntry("model", "llama-tiny");
        }
    }

    @Test
    void aFolderHasOneOwnerAtATimeAndAFailedOpenRemovesTheFolderItMade() throws Exception {
        Options opts = Options.parse("train", List.of(), List.of(), List.of());
        Path run = dir.resolve("run");
        try (RunFolder first = open(run, false, false, opts)) {
            assertThat(run.resolve(RunLock.FILE)).content().contains("\"pid\":" + ProcessHandle.current().pid(), "\"command\":\"train\"");
            assertThatThrownBy(() -> open(run, false, false, opts)).isInstanceOf(Options.UsageException.class)
                    .hasMessageStartingWith("train: --out " + run + " is in use by pid " + ProcessHandle.current().pid() + " on host " + RunLock.host() + " (train, since ")
                    .hasMessageEndingWith("); wait for it to end or choose another --out");
        }
        assertThat(run).doesNotExist();                 // made by the first open, nothing written, removed on close
    }
}
