package io.cpo4j.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Only calls made while measuring count; closing writes one figure per measured call, and what went wrong. */
class StepTurnsTest {

    @Test
    void measuredCallsReachTheNotesAndAPeerThatDoesNotStartLeavesANote(@TempDir Path dir) throws Exception {
        Path file = Files.createFile(dir.resolve("notes.txt"));
        String before = System.getProperty(Notes.PROPERTY);
        System.setProperty(Notes.PROPERTY, file.toString());
        try {
            StepTurns turns = new StepTurns(TrainStepBenchmark.trainer("tiny"));
            turns.startPeer(List.of(dir.resolve("no-such-peer").toString()), 1);
            turns.call();                                  // warm-up: not counted
            turns.measuring(true);
            turns.call();
            turns.close("t.", "t.note.");
        } finally {
            if (before == null) System.clearProperty(Notes.PROPERTY);
            else System.setProperty(Notes.PROPERTY, before);
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines.get(0)).matches("t\\.cpo4j=\\d+\\.\\d\\d");      // one measured call, no peer figures
        assertThat(lines.subList(1, lines.size())).isNotEmpty().allMatch(l -> l.matches("t\\.note\\.\\d=could not start the peer .*no-such-peer.*"));
    }
}
