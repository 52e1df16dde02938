package io.cpo4j.tests;

import io.cpo4j.engine.Rng;
import io.cpo4j.engine.io.FormatException;
import io.cpo4j.model.data.DollyRecord;
import io.cpo4j.model.data.JsonLines;
import io.cpo4j.model.data.TokenShard;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Training data files — Dolly-style JSON Lines and llm.c {@code .bin} token shards — each meet
 * ≥ 10,000 seeded mutations (see {@link Fuzzing}). Beyond "read or refuse": reading JSONL with
 * bad lines skipped never fails and agrees with the strict read, and a shard that reads holds
 * exactly the tokens its size says.
 */
class DataFileFuzzTest {

    /** Every shape of record: escapes, non-ASCII, empty and absent optional fields, a CRLF line end, a blank line. */
    static final String DOLLY = """
            {"instruction": "When did Virgin Australia start operating?", "context": "Virgin Australia commenced services on 31 August 2000.", "response": "On 31 August 2000.", "category": "closed_qa"}
            {"instruction": "Which is a species of fish? Tope or Rope", "context": "", "response": "Tope", "category": "classification"}
            {"instruction": "Write \\"hello\\" in Japanese", "response": "こんにちは — «bonjour» \\u00e9\\n\\ttabbed", "category": null}\r

            {"instruction": "List three primes", "context": "numbers", "response": "2, 3, 5", "category": "brainstorming", "extra": [1, 2.5e-3, true, {"x": null}]}
            """;

    static final int SHARD_VOCAB = 300;

    @TempDir
    Path dir;

    @Test
    @Timeout(300)
    void dollyJsonLines() throws IOException {
        Path file = dir.resolve("dolly.jsonl");
        byte[] valid = DOLLY.getBytes(StandardCharsets.UTF_8);
        Files.write(file, valid);
        assertThat(DollyRecord.read(file, false).records()).hasSize(4);
        Fuzzing.Outcome o = Fuzzing.fuzz("dolly.jsonl", 21, m -> m.mutate(valid), input -> {
            Files.write(file, input);
            JsonLines.Result<DollyRecord> lenient = DollyRecord.read(file, true);
            JsonLines.Result<DollyRecord> strict;
            try {
                strict = DollyRecord.read(file, false);
            } catch (FormatException refused) {
                // Skipping bad lines reports the same first problem, and loses no good line.
                assertThat(lenient.skipped()).isPositive();
                assertThat(lenient.problems().get(0)).isEqualTo(refused.getMessage());
                throw refused;
            }
            assertThat(lenient.skipped()).isZero();
            assertThat(lenient.records()).isEqualTo(strict.records());
        }, "dolly.jsonl");
        assertThat(o.accepted()).as("mutations inside strings keep lines valid").isPositive();
        assertThat(o.refused()).isGreaterThan(Fuzzing.RUNS / 10);
    }

    @Test
    @Timeout(300)
    void llmcTokenShards() throws IOException {
        Rng rng = new Rng(7);
        int[] ids = new int[400];
        for (int i = 0; i < ids.length; i++) ids[i] = rng.nextInt(SHARD_VOCAB);
        Path file = dir.resolve("train_000.bin");
        TokenShard.write(file, ids);
        byte[] valid = Files.readAllBytes(file);
        Fuzzing.Parser read = input -> {
            Files.write(file, input);
            TokenShard shard = TokenShard.read(file);
            assertThat(TokenShard.HEADER_BYTES + 2L * shard.size()).as("tokens read = tokens in the file").isEqualTo(input.length);
            shard.checkVocabulary(SHARD_VOCAB);
        };
        // The magic, version and token count (the first 12 bytes) are where a shard goes wrong; then anywhere.
        Fuzzing.Outcome header = Fuzzing.fuzz("llm.c shard header", 22, m -> m.mutateRegion(valid, 0, 12), read, file.getFileName().toString());
        Fuzzing.Outcome any = Fuzzing.fuzz("llm.c shard", 23, m -> m.mutate(valid), read, file.getFileName().toString());
        assertThat(header.refused()).isGreaterThan(Fuzzing.RUNS / 2);
        assertThat(any.accepted()).as("a changed token within the vocabulary is still a shard").isPositive();
    }
}
