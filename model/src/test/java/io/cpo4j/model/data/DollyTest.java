package io.cpo4j.model.data;

import io.cpo4j.engine.io.FormatException;
import io.cpo4j.model.tokenizer.SharedFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DollyTest {

    @TempDir
    Path dir;

    private static final String GOOD = "{\"instruction\": \"When did Virgin Australia start operating?\", \"context\": \"Virgin Australia commenced services on 31 August 2000.\", \"response\": \"31 August 2000.\", \"category\": \"closed_qa\"}";

    @Test
    void readsTheWholeDataset() throws IOException {
        Path file = SharedFiles.dataFile("dolly-15k/databricks-dolly-15k.jsonl");
        JsonLines.Result<DollyRecord> result = DollyRecord.read(file, false);
        assertThat(result.records()).hasSize(15_011);
        assertThat(result.skipped()).isZero();
        Map<String, Integer> categories = new TreeMap<>();
        for (DollyRecord r : result.records()) categories.merge(r.category(), 1, Integer::sum);
        // The dataset card's counts.
        assertThat(categories).containsExactlyInAnyOrderEntriesOf(Map.of("open_qa", 3742, "general_qa", 2191, "classification", 2136,
                "closed_qa", 1773, "brainstorming", 1766, "information_extraction", 1506, "summarization", 1188, "creative_writing", 709));
        assertThat(result.records().stream().filter(r -> r.context().isEmpty()).count()).isEqualTo(10_544);
    }

    @Test
    void aMalformedLineNamesFileAndLine() throws IOException {
        Path file = dir.resolve("d.jsonl");
        Files.writeString(file, GOOD + "\n" + GOOD + "\n{\"instruction\": \"x\", \"response\": \n" + GOOD + "\n");
        assertThatThrownBy(() -> DollyRecord.read(file, false)).isInstanceOf(FormatException.class)
                .hasMessage(file + ":3: column 34: unexpected end of input, expected a value");
        JsonLines.Result<DollyRecord> skipping = DollyRecord.read(file, true);
        assertThat(skipping.records()).hasSize(3);
        assertThat(skipping.skipped()).isEqualTo(1);
        assertThat(skipping.problems()).containsExactly(file + ":3: column 34: unexpected end of input, expected a value");
    }

    @Test
    void missingAndMistypedFieldsAreNamed() throws IOException {
        Path file = dir.resolve("d.jsonl");
        Files.writeString(file, "{\"instruction\": \"x\"}\n");
        assertThatThrownBy(() -> DollyRecord.read(file, false)).hasMessage(file + ":1: missing field \"response\"");
        Files.writeString(file, "{\"instruction\": \"x\", \"response\": \"y\", \"context\": 3}\n");
        assertThatThrownBy(() -> DollyRecord.read(file, false)).hasMessage(file + ":1: field \"context\" must be a string, found a number (3)");
        Files.writeString(file, "[1]\n");
        assertThatThrownBy(() -> DollyRecord.read(file, false)).hasMessage(file + ":1: expected a JSON object, found an array");
        Files.writeString(file, "{\"instruction\": \"x\", \"response\": \"y\"}\n");
        assertThat(DollyRecord.read(file, false).records()).containsExactly(new DollyRecord("x", "", "y", ""));
    }

    @Test
    void invalidUtf8IsAnErrorOrASkippedLine() throws IOException {
        Path file = dir.resolve("d.jsonl");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}); // a byte-order mark is accepted
        bytes.writeBytes((GOOD + "\n").getBytes(StandardCharsets.UTF_8));
        bytes.writeBytes("{\"instruction\": \"caf".getBytes(StandardCharsets.UTF_8));
        bytes.write(0xE9); // Latin-1 é: not UTF-8
        bytes.writeBytes("\", \"response\": \"y\"}\r\n\n   \n".getBytes(StandardCharsets.UTF_8));
        bytes.writeBytes((GOOD + "\r\n").getBytes(StandardCharsets.UTF_8));
        Files.write(file, bytes.toByteArray());
        assertThatThrownBy(() -> DollyRecord.read(file, false)).hasMessage(file + ":2: invalid UTF-8 at column 21 (byte 0xE9)");
        JsonLines.Result<DollyRecord> skipping = DollyRecord.read(file, true);
        assertThat(skipping.records()).hasSize(2); // CRLF and blank lines are fine
        assertThat(skipping.skipped()).isEqualTo(1);
    }
}
