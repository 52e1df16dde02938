package io.cpo4j.model.data;

import io.cpo4j.engine.io.FormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenShardTest {

    @TempDir
    Path dir;

    /** A shard as llm.c's write_datafile lays it out, built byte by byte without TokenShard. */
    private static byte[] llmcShard(int magic, int version, int count, int... tokens) {
        ByteBuffer b = ByteBuffer.allocate(1024 + 2 * tokens.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, magic).putInt(4, version).putInt(8, count);
        for (int i = 0; i < tokens.length; i++) b.putShort(1024 + 2 * i, (short) tokens[i]);
        return b.array();
    }

    @Test
    void readsWhatLlmcWrites() throws IOException {
        Path file = dir.resolve("tiny.bin");
        Files.write(file, llmcShard(20240520, 1, 5, 50256, 0, 1, 65535, 15496));
        TokenShard shard = TokenShard.read(file);
        assertThat(shard.size()).isEqualTo(5);
        assertThat(shard.slice(0, 5)).containsExactly(50256, 0, 1, 65535, 15496);
        assertThat(shard.source()).isEqualTo(file.toString());
    }

    @Test
    void writesWhatLlmcReads() throws IOException {
        Path file = dir.resolve("out.bin");
        int[] ids = {50256, 0, 1, 65535, 15496, 198};
        TokenShard.write(file, ids, 50257);
        assertThat(Files.readAllBytes(file)).isEqualTo(llmcShard(20240520, 1, 6, ids));
        assertThat(TokenShard.read(file).slice(0, 6)).containsExactly(ids);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("out.bin"); // no temporary left behind
        }
    }

    @Test
    void roundTripsALargeStream() throws IOException {
        int[] ids = new int[300_000];
        for (int i = 0; i < ids.length; i++) ids[i] = (int) ((i * 7919L) % 65536);
        Path file = dir.resolve("big.bin");
        TokenShard.write(file, ids);
        assertThat(Files.size(file)).isEqualTo(1024 + 2L * ids.length);
        assertThat(TokenShard.read(file).slice(0, ids.length)).isEqualTo(ids);
    }

    @Test
    void badFilesAreClearErrors() throws IOException {
        Path file = dir.resolve("bad.bin");
        Files.write(file, new byte[100]);
        assertThatThrownBy(() -> TokenShard.read(file)).isInstanceOf(FormatException.class)
                .hasMessage(file + ": truncated: 100 bytes, shorter than the 1024-byte header of an llm.c token shard");
        Files.write(file, llmcShard(12345, 1, 0));
        assertThatThrownBy(() -> TokenShard.read(file)).hasMessage(file + ": bad magic 12345: not an llm.c token shard (expected 20240520)");
        Files.write(file, llmcShard(20240801, 7, 0));
        assertThatThrownBy(() -> TokenShard.read(file)).hasMessageContaining("uint32 tokens (magic 20240801");
        Files.write(file, llmcShard(20240520, 2, 0));
        assertThatThrownBy(() -> TokenShard.read(file)).hasMessage(file + ": unsupported version 2 (expected 1: uint16 tokens)");
        Files.write(file, llmcShard(20240520, 1, 10, 1, 2, 3));
        assertThatThrownBy(() -> TokenShard.read(file))
                .hasMessage(file + ": truncated: the header says 10 tokens (20 bytes) but only 6 bytes of tokens follow");
        Files.write(file, llmcShard(20240520, 1, 2, 1, 2, 3));
        assertThatThrownBy(() -> TokenShard.read(file)).hasMessage(file + ": the header says 2 tokens (4 bytes) but 6 bytes of tokens follow");
        Files.write(file, llmcShard(20240520, 1, -1));
        assertThatThrownBy(() -> TokenShard.read(file)).hasMessageContaining("negative token count -1");
        byte[] odd = Arrays.copyOf(llmcShard(20240520, 1, 1, 7), 1027);
        Files.write(file, odd);
        assertThatThrownBy(() -> TokenShard.read(file)).hasMessageContaining("the header says 1 tokens (2 bytes) but 3 bytes");
        assertThatThrownBy(() -> TokenShard.read(dir.resolve("missing.bin"))).hasMessageEndingWith("missing.bin: file not found");
    }

    @Test
    void aHeaderClaimingTwoBillionTokensIsRefusedBeforeAllocating() throws IOException {
        // Allocating first would be an OutOfMemoryError (char[2^31 − 1] exceeds the VM's array limit);
        // tests/Fuzzing also bounds the bytes each parse allocates.
        Path file = dir.resolve("liar.bin");
        Files.write(file, llmcShard(20240520, 1, Integer.MAX_VALUE, 1, 2, 3));
        assertThatThrownBy(() -> TokenShard.read(file)).isInstanceOf(FormatException.class).hasMessage(file
                + ": truncated: the header says 2147483647 tokens (4294967294 bytes) but only 6 bytes of tokens follow");
    }

    @Test
    void vocabulariesBeyondUint16CannotBeWrittenAndNothingIsLost() throws IOException {
        Path file = dir.resolve("keep.bin");
        TokenShard.write(file, new int[] {1, 2, 3});
        byte[] before = Files.readAllBytes(file);
        assertThatThrownBy(() -> TokenShard.write(file, new int[] {1}, 100_000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a vocabulary of 100000 tokens cannot be written to an llm.c shard: its tokens are uint16, so at most 65536 ids");
        assertThatThrownBy(() -> TokenShard.write(file, new int[] {1, 70_000}))
                .hasMessage("token 70000 at position 1 does not fit an llm.c shard (uint16: ids 0..65535)");
        assertThatThrownBy(() -> TokenShard.write(file, new int[] {-1})).hasMessageContaining("token -1 at position 0");
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
        TokenShard.write(file, new int[] {65535}, 65536); // the largest vocabulary that fits
    }

    @Test
    void checksTokensAgainstAVocabulary() throws IOException {
        Path file = dir.resolve("v.bin");
        TokenShard.write(file, new int[] {1, 511, 512, 3});
        TokenShard shard = TokenShard.read(file);
        shard.checkVocabulary(513);
        assertThatThrownBy(() -> shard.checkVocabulary(512)).isInstanceOf(FormatException.class)
                .hasMessage(file + ": token 512 at position 2 is outside the vocabulary of 512");
    }
}
