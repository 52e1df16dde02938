package io.cpo4j.model.data;

import io.cpo4j.engine.io.FormatException;
import io.cpo4j.model.tokenizer.CharTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PreferenceRecordTest {

    @TempDir
    Path dir;

    static final String ONE = "{\"prompt\": \"Q: 2+2?\\nA:\", \"chosen\": \" 4\", \"rejected\": \" 5\"}";
    static final String SEVERAL = "{\"prompt\": \"Sky?\", \"chosen\": \" blue\", \"rejected\": [\" green\", \" red\", \" \\u00e9t\\u00e9\"]}";

    private Path file(String... lines) throws IOException {
        Path f = dir.resolve("prefs.jsonl");
        Files.writeString(f, String.join("\n", lines) + "\n");
        return f;
    }

    @Test
    void readsOneOrSeveralRejectedPerLine() throws IOException {
        JsonLines.Result<PreferenceRecord> read = PreferenceRecord.read(file(ONE, "", SEVERAL), false);
        assertThat(read.records()).containsExactly(new PreferenceRecord("Q: 2+2?\nA:", " 4", List.of(" 5")),
                new PreferenceRecord("Sky?", " blue", List.of(" green", " red", " été")));
        assertThat(read.skipped()).isZero();
    }

    @Test
    void eachMalformedLineIsOneErrorNamingFileAndLine() throws IOException {
        String[][] cases = {
                {"{\"chosen\": \"a\", \"rejected\": \"b\"}", "missing field \"prompt\" (TRL's implicit-prompt format is not supported; split the prompt off chosen and rejected)"},
                {"{\"prompt\": \"p\", \"rejected\": \"b\"}", "missing field \"chosen\""},
                {"{\"prompt\": \"p\", \"chosen\": \"a\"}", "missing field \"rejected\""},
                {"{\"prompt\": 3, \"chosen\": \"a\", \"rejected\": \"b\"}", "field \"prompt\" must be a string, found a number (3)"},
                {"{\"prompt\": \"p\", \"chosen\": \"\", \"rejected\": \"b\"}", "field \"chosen\" is empty"},
                {"{\"prompt\": \"\", \"chosen\": \"a\", \"rejected\": \"b\"}", "field \"prompt\" is empty"},
                {"{\"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": []}", "field \"rejected\" is an empty array; give at least one rejected continuation"},
                {"{\"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": [\"b\", 7]}", "field \"rejected\" must be a string or an array of strings, found a number at index 1"},
                {"{\"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": true}", "field \"rejected\" must be a string, found a boolean (true)"},
                {"{\"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": \"\"}", "field \"rejected\" is empty"},
                {"{\"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": [\"b\", \"\"]}", "rejected[1] is empty"},
                {"{\"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": \"a\"}", "field \"rejected\" equals chosen; a rejected continuation must differ from the chosen one"},
                {"{\"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": [\"b\", \"a\"]}", "rejected[1] equals chosen; a rejected continuation must differ from the chosen one"},
                {"{\"prompt\": [{\"role\": \"user\", \"content\": \"hi\"}], \"chosen\": [{\"role\": \"assistant\", \"content\": \"a\"}], \"rejected\": [{\"role\": \"assistant\", \"content\": \"b\"}]}",
                        "field \"prompt\" is a list of messages (TRL's conversational format), which is not supported; give prompt, chosen and rejected as strings (apply the chat template first)"},
                {"{\"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": \"b\"", "column 47: unexpected end of input inside an object"},
        };
        for (String[] c : cases) {
            Path f = file(ONE, c[0]);
            assertThatThrownBy(() -> PreferenceRecord.read(f, false)).as(c[0]).isInstanceOf(FormatException.class).hasMessage(f + ":2: " + c[1]);
            JsonLines.Result<PreferenceRecord> skipping = PreferenceRecord.read(f, true);
            assertThat(skipping.records()).hasSize(1);
            assertThat(skipping.problems()).containsExactly(f + ":2: " + c[1]);
        }
    }

    @Test
    void theDatasetEndsChosenAndEveryRejectedWithEndOfText() throws IOException {
        List<PreferenceRecord> records = PreferenceRecord.read(file(ONE, SEVERAL), false).records();
        CharTokenizer chars = CharTokenizer.fromText(ONE + SEVERAL + "été");
        PreferenceDataset data = new PreferenceDataset(records, chars);
        int eos = chars.eotToken();
        TokenizedExample e = data.get(1);
        assertThat(e.prefix()).containsExactly(chars.encode("Sky?"));
        assertThat(e.continuation()).containsExactly(concat(chars.encode(" blue"), eos));
        assertThat(data.rejected(1)).containsExactly(concat(chars.encode(" green"), eos), concat(chars.encode(" red"), eos), concat(chars.encode(" été"), eos));
        assertThat(data.rejected(0)).containsExactly(concat(chars.encode(" 5"), eos));
        assertThat(data.text(0)).isEqualTo(new PrefixContinuation("Q: 2+2?\nA:", " 4"));
        assertThat(data.size()).isEqualTo(2);
    }

    private static int[] concat(int[] ids, int last) {
        int[] out = java.util.Arrays.copyOf(ids, ids.length + 1);
        out[ids.length] = last;
        return out;
    }
}
