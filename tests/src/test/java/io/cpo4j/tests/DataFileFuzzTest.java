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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
        fuzzShard("llm.c shard", ids, SHARD_VOCAB, TokenShard.Format.UINT16, 22);
    }

    /** A vocabulary beyond uint16, so the shard is llm.c's LLaMA-3 layout (uint32 tokens). */
    static final int WIDE_VOCAB = 70_000;

    @Test
    @Timeout(300)
    void llmcUint32TokenShards() throws IOException {
        Rng rng = new Rng(8);
        int[] ids = new int[400];
        for (int i = 0; i < ids.length; i++) ids[i] = i % 2 == 0 ? 65536 + rng.nextInt(WIDE_VOCAB - 65536) : rng.nextInt(65536);
        Fuzzing.Outcome any = fuzzShard("llm.c uint32 shard", ids, WIDE_VOCAB, TokenShard.Format.UINT32, 24);
        assertThat(any.messages().keySet()).as("a high byte set in a uint32 token is caught, by position")
                .anySatisfy(k -> assertThat(k).containsAnyOf("outside the vocabulary", "beyond any vocabulary"));
    }

    /**
     * Fuzzes a shard of these ids: its header (the magic, version and token count, the first 12
     * bytes, are where a shard goes wrong), then anywhere. Returns the second outcome.
     */
    private Fuzzing.Outcome fuzzShard(String what, int[] ids, int vocab, TokenShard.Format format, long seed) throws IOException {
        Path file = dir.resolve("train_000.bin");
        TokenShard.write(file, ids, vocab);
        assertThat(TokenShard.read(file).format()).isEqualTo(format);
        byte[] valid = Files.readAllBytes(file);
        Fuzzing.Parser read = input -> {
            Files.write(file, input);
            TokenShard shard = TokenShard.read(file);
            assertThat(TokenShard.HEADER_BYTES + (long) shard.format().bytesPerToken * shard.size()).as("tokens read = tokens in the file").isEqualTo(input.length);
            shard.checkVocabulary(vocab);
        };
        Fuzzing.Outcome header = Fuzzing.fuzz(what + " header", seed, m -> m.mutateRegion(valid, 0, 12), read, file.getFileName().toString());
        Fuzzing.Outcome any = Fuzzing.fuzz(what, seed + 1, m -> m.mutate(valid), read, file.getFileName().toString());
        assertThat(header.refused()).isGreaterThan(Fuzzing.RUNS / 2);
        assertThat(any.accepted()).as("a changed token within the vocabulary is still a shard").isPositive();
        return any;
    }

    /**
     * The header of one format over the tokens of the other — the corruption a hand-edited or
     * half-converted file has — is refused by its length, naming the file: the bytes of N uint16
     * tokens are N/2 uint32 tokens, never the N the header says.
     */
    @Test
    void aHeaderOfTheOtherFormatIsRefused() throws IOException {
        int[] ids = {1, 2, 3, 4};
        Path narrow = dir.resolve("narrow.bin"), wide = dir.resolve("wide.bin");
        TokenShard.write(narrow, ids, TokenShard.Format.UINT16);
        TokenShard.write(wide, ids, TokenShard.Format.UINT32);
        byte[] n = Files.readAllBytes(narrow), w = Files.readAllBytes(wide);
        System.arraycopy(w, 0, n, 0, 8); // uint32 magic + version over uint16 tokens
        System.arraycopy(Files.readAllBytes(narrow), 0, w, 0, 8);
        Files.write(narrow, n);
        Files.write(wide, w);
        assertThatThrownBy(() -> TokenShard.read(narrow)).isInstanceOf(FormatException.class)
                .hasMessage(narrow + ": truncated: the header says 4 tokens (16 bytes of uint32) but only 8 bytes of tokens follow");
        assertThatThrownBy(() -> TokenShard.read(wide)).isInstanceOf(FormatException.class)
                .hasMessage(wide + ": the header says 4 tokens (8 bytes of uint16) but 16 bytes of tokens follow");
        // The magic of one with the version of the other.
        byte[] mixed = Files.readAllBytes(wide); // its header is uint16's now
        mixed[4] = 7;
        Files.write(wide, mixed);
        assertThatThrownBy(() -> TokenShard.read(wide)).hasMessage(wide + ": unsupported version 7 at byte 4 (magic 20240520 goes with version 1: uint16 tokens)");
    }
}
