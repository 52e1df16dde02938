package io.cpo4j.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** An in-turns benchmark's figures reach the runner's notes file in call order, one key per side; empty sides are left out. */
class NotesTest {

    @Test
    void writeTurnsWritesEachSideInCallOrderAndTheProblems(@TempDir Path dir) throws Exception {
        Path file = Files.createFile(dir.resolve("notes.txt"));
        String before = System.getProperty(Notes.PROPERTY);
        System.setProperty(Notes.PROPERTY, file.toString());
        try {
            Map<String, List<Double>> figures = new LinkedHashMap<>();
            figures.put("cpo4j", List.of(40.0, 50.125));
            figures.put("torch", List.of());
            figures.put("native", List.of(16.5));
            Notes.writeTurns("decode.turns.2.", "decode.turns.note.2.", "%.2f", figures, List.of("peer did not start"));
        } finally {
            if (before == null) System.clearProperty(Notes.PROPERTY);
            else System.setProperty(Notes.PROPERTY, before);
        }
        assertThat(Files.readAllLines(file)).containsExactly("decode.turns.2.cpo4j=40.00,50.13", "decode.turns.2.native=16.50",
                "decode.turns.note.2.0=peer did not start");
    }
}
