package io.cpo4j.tests;

import io.cpo4j.engine.io.Json;
import io.cpo4j.model.data.TokenShard;
import io.cpo4j.model.tokenizer.ByteLevel;
import io.cpo4j.model.tokenizer.Tokenizers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A vocabulary beyond uint16 end to end: {@code tokenizer tokenize} writes llm.c's uint32 shard,
 * and {@code train} and {@code eval} read it, with ids 65,535, 65,536 and above in the windows.
 */
class WideVocabularyCliTest {

    @TempDir
    Path dir;

    static final String TEXT = "abc abc abc.\n\nabd abd.\n<|endoftext|>".repeat(20);
    static final int VOCAB = 256 + 65536 + 1;   // every byte, every pair of bytes, <|endoftext|>
    static final int BD = 65535, AB = 65536, EOT = VOCAB - 1;

    /**
     * vocab.json + merges.txt of 65,793 tokens: ids 0–255 single bytes, 256–65,791 every pair of
     * bytes, with "bd" placed at id 65,535 and "ab" at 65,536 (the last uint16 id and the first
     * beyond), and two merges that make them.
     */
    static Path wideTokenizer(Path dir) throws Exception {
        List<byte[]> pairs = new ArrayList<>(65536);
        byte[] bd = {'b', 'd'}, ab = {'a', 'b'};
        for (int x = 0; x < 256; x++) {
            for (int y = 0; y < 256; y++) {
                byte[] p = {(byte) x, (byte) y};
                if (!Arrays.equals(p, bd) && !Arrays.equals(p, ab)) pairs.add(p);
            }
        }
        pairs.add(BD - 256, bd);
        pairs.add(AB - 256, ab);
        Map<String, Object> vocab = new LinkedHashMap<>();
        for (int b = 0; b < 256; b++) vocab.put(ByteLevel.encode(new byte[] {(byte) b}), (long) b);
        for (int i = 0; i < pairs.size(); i++) vocab.put(ByteLevel.encode(pairs.get(i)), (long) (256 + i));
        vocab.put("<|endoftext|>", (long) EOT);
        assertThat(vocab).hasSize(VOCAB);
        Path tok = dir.resolve("wide-tokenizer");
        Files.createDirectories(tok);
        Files.writeString(tok.resolve("vocab.json"), Json.write(vocab));
        Files.writeString(tok.resolve("merges.txt"), "#version: 0.2\nb d\na b\n"); // "abd" → a, bd; "abc" → ab, c
        return tok;
    }

    @Test
    void tokenizesTrainsAndEvaluatesWithMoreThan65536Tokens() throws Exception {
        Path tok = wideTokenizer(dir);
        assertThat(Tokenizers.load(tok).vocabSize()).isEqualTo(VOCAB);
        Path text = dir.resolve("text.txt"), shard = dir.resolve("wide.bin");
        Files.writeString(text, TEXT);
        CliRun t = CliRun.of("tokenizer", "tokenize", "--tokenizer", tok, "--data", text, "--out", shard, "--allow-special").ok();
        assertThat(t.out()).startsWith("wrote ").contains(" uint32 tokens to " + shard);

        // The bytes are llm.c's LLaMA-3 layout, read without TokenShard.
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(shard)).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(bytes.getInt(0)).isEqualTo(20240801);
        assertThat(bytes.getInt(4)).isEqualTo(7);
        int count = bytes.getInt(8);
        assertThat(bytes.capacity()).isEqualTo(1024 + 4 * count);
        // "abc" → ab, c
        assertThat(bytes.getInt(1024)).isEqualTo(AB);
        assertThat(bytes.getInt(1028)).isEqualTo('c');
        TokenShard read = TokenShard.read(shard);
        assertThat(read.format()).isEqualTo(TokenShard.Format.UINT32);
        int[] ids = read.slice(0, read.size());
        assertThat(ids).contains(BD, AB, EOT);
        assertThat(Tokenizers.load(tok).decode(ids)).isEqualTo(TEXT);

        Path run = dir.resolve("run");
        CliRun train = CliRun.of("train", "--data", shard, "--val", shard, "--tokenizer", tok, "--out", run, "--layers", 1, "--heads", 1, "--width", 8,
                "--context", 16, "--batch", 2, "--steps", 1, "--eval-batches", 1, "--report-samples", 0).ok();
        assertThat(train.out()).contains("train: finished at step 1", "val/loss");
        Map<String, Object> config = Json.parseObject(Files.readString(run.resolve("config.json")), "config.json");
        assertThat(((Map<?, ?>) config.get("model")).get("vocab_size")).isEqualTo((long) VOCAB);
        double loss = (Double) CliRun.metrics(run).get(0).get("loss");
        assertThat(loss).as("one step from a fresh model: about ln V").isBetween(Math.log(VOCAB) - 1, Math.log(VOCAB) + 1);

        Map<String, Object> eval = Json.parseObject(CliRun.of("eval", "--model", run, "--data", shard, "--json").ok().out().strip(), "eval");
        assertThat((Long) eval.get("tokens")).isEqualTo((count - 1) / 16 * 16L);
        assertThat((Double) eval.get("loss")).isBetween(Math.log(VOCAB) - 1, Math.log(VOCAB) + 1);
    }

    @Test
    void aModelWithASmallerVocabularyNamesTheFirstTokenItCannotRead() throws Exception {
        Path tok = wideTokenizer(dir);
        Path text = dir.resolve("text.txt"), shard = dir.resolve("wide.bin");
        Files.writeString(text, TEXT);
        CliRun.of("tokenizer", "tokenize", "--tokenizer", tok, "--data", text, "--out", shard, "--allow-special").ok();
        SmallModelFiles small = SmallModelFiles.write(dir);
        int vocab = small.chars().vocabSize();
        CliRun.of("eval", "--model", small.model(), "--data", shard).failsWith(1,
                shard + ": token " + AB + " at position 0 is outside the vocabulary of " + vocab);
    }
}
