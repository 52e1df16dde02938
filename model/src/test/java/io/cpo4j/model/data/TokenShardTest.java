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

    /** llm.c's "llama-3" layout: the same header, then uint32 tokens. */
    private static byte[] llmcWideShard(int magic, int version, int count, long... tokens) {
        ByteBuffer b = ByteBuffer.allocate(1024 + 4 * tokens.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, magic).putInt(4, version).putInt(8, count);
        for (int i = 0; i < tokens.length; i++) b.putInt(1024 + 4 * i, (int) tokens[i]);
        return b.array();
    }

    @Test
    void readsWhatLlmcWritesForLlama3() throws IOException {
        Path file = dir.resolve("llama.bin");
        Files.write(file, llmcWideShard(20240801, 7, 5, 128000, 0, 65535, 65536, 128255));
        TokenShard shard = TokenShard.read(file);
        assertThat(shard.format()).isEqualTo(TokenShard.Format.UINT32);
        assertThat(shard.slice(0, 5)).containsExactly(128000, 0, 65535, 65536, 128255);
        assertThat(shard.get(3)).isEqualTo(65536);
    }

    @Test
    void writesUint32ForVocabulariesAbove65536AndUint16UpToIt() throws IOException {
        Path wide = dir.resolve("wide.bin"), narrow = dir.resolve("narrow.bin");
        int[] ids = {128000, 0, 65535, 65536, 1, 128256};
        TokenShard.write(wide, ids, 128257);
        assertThat(Files.readAllBytes(wide)).isEqualTo(llmcWideShard(20240801, 7, 6, 128000, 0, 65535, 65536, 1, 128256));
        assertThat(TokenShard.read(wide).slice(0, 6)).containsExactly(ids);
        TokenShard.write(narrow, new int[] {65535, 0}, 65536);
        assertThat(Files.readAllBytes(narrow)).isEqualTo(llmcShard(20240520, 1, 2, 65535, 0));
        TokenShard.write(narrow, new int[] {65535, 0}, 65537); // one id more than uint16 holds: the wide format, even for small ids
        assertThat(Files.readAllBytes(narrow)).isEqualTo(llmcWideShard(20240801, 7, 2, 65535, 0));
        assertThat(TokenShard.read(narrow).format()).isEqualTo(TokenShard.Format.UINT32);
    }

    @Test
    void boundaryIdsRoundTripInBothFormats() throws IOException {
        Path file = dir.resolve("edge.bin");
        TokenShard.write(file, new int[] {65535, 0, 65534}, TokenShard.Format.UINT16);
        assertThat(TokenShard.read(file).slice(0, 3)).containsExactly(65535, 0, 65534);
        int[] wide = {65535, 65536, Integer.MAX_VALUE, 0};
        TokenShard.write(file, wide, TokenShard.Format.UINT32);
        TokenShard read = TokenShard.read(file);
        assertThat(read.slice(0, 4)).containsExactly(wide);
        assertThatThrownBy(() -> read.checkVocabulary(65536)).isInstanceOf(FormatException.class)
                .hasMessage(file + ": token 65536 at position 1 is outside the vocabulary of 65536");
        assertThatThrownBy(() -> TokenShard.write(file, new int[] {3, 65536}, TokenShard.Format.UINT16))
                .hasMessage("token 65536 at position 1 does not fit an llm.c shard of uint16 tokens (ids 0..65535)");
    }

    @Test
    void inMemoryStreamsStayTwoBytesATokenWhenTheyCan() throws IOException {
        assertThat(TokenShard.of(new int[] {0, 65535}).format()).isEqualTo(TokenShard.Format.UINT16);
        TokenShard wide = TokenShard.of(new int[] {0, 65536, 7});
        assertThat(wide.format()).isEqualTo(TokenShard.Format.UINT32);
        int[] dst = new int[5];
        wide.copy(1, dst, 2, 2);
        assertThat(dst).containsExactly(0, 0, 65536, 7, 0);
        Path file = dir.resolve("mem.bin");
        wide.write(file);
        assertThat(Files.readAllBytes(file)).isEqualTo(llmcWideShard(20240801, 7, 3, 0, 65536, 7));
        assertThatThrownBy(() -> TokenShard.of(new int[] {1, -2})).hasMessage("token -2 at position 1 is negative");
    }

    @Test
    void badWideShardsAreClearErrors() throws IOException {
        Path file = dir.resolve("bad32.bin");
        Files.write(file, llmcWideShard(20240801, 1, 0));
        assertThatThrownBy(() -> TokenShard.read(file)).isInstanceOf(FormatException.class)
                .hasMessage(file + ": unsupported version 1 at byte 4 (magic 20240801 goes with version 7: uint32 tokens)");
        Files.write(file, llmcWideShard(20240801, 7, 3, 1, 2));
        assertThatThrownBy(() -> TokenShard.read(file))
                .hasMessage(file + ": truncated: the header says 3 tokens (12 bytes of uint32) but only 8 bytes of tokens follow");
        // A uint16 count over uint32 bytes: twice the tokens the header says.
        Files.write(file, llmcWideShard(20240801, 7, 1, 1, 2));
        assertThatThrownBy(() -> TokenShard.read(file)).hasMessage(file + ": the header says 1 tokens (4 bytes of uint32) but 8 bytes of tokens follow");
        Files.write(file, llmcWideShard(20240801, 7, 3, 5, 4294967295L, 6));
        assertThatThrownBy(() -> TokenShard.read(file))
                .hasMessage(file + ": token 4294967295 at position 1 is beyond any vocabulary (ids must be below 2^31)");
        // A uint32 header over uint16 tokens (a wrong magic written by hand): the length disagrees.
        byte[] mixed = llmcShard(20240801, 7, 4, 1, 2, 3, 4);
        Files.write(file, mixed);
        assertThatThrownBy(() -> TokenShard.read(file)).hasMessageContaining("truncated: the header says 4 tokens (16 bytes of uint32) but only 8 bytes");
    }

    @Test
    void readsWhatLlmcWrites() throws IOException {
        Path file = dir.resolve("tiny.bin");
        Files.write(file, llmcShard(20240520, 1, 5, 50256, 0, 1, 65535, 15496));
        TokenShard shard = TokenShard.read(file);
        assertThat(shard.size()).isEqualTo(5);
        assertThat(shard.format()).as("held two bytes a token").isEqualTo(TokenShard.Format.UINT16);
        assertThat(shard.slice(0, 5)).containsExactly(50256, 0, 1, 65535, 15496);
        assertThat(shard.source()).isEqualTo(file.toString());
    }

    @Test
    void writesWhatLlmcReads() throws IOException {
        Path file = dir.resolve("out.bin");
        int[] ids = {50256, 0, 1, 65535, 15496, 198};
        TokenShard.write(file, ids, 65536);
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
    void shardsLongerThanOneReadChunkKeepTheirOrderAndPositions() throws IOException {
        int n = (1 << 22) + 3;                       // the reader's chunk, and three tokens more
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = (int) ((i * 40503L) % 70_000);
        Path file = dir.resolve("long.bin");
        TokenShard.write(file, ids, 70_000);
        TokenShard read = TokenShard.read(file);
        assertThat(read.slice(n - 5, n)).containsExactly(java.util.Arrays.copyOfRange(ids, n - 5, n));
        assertThat(read.get(1 << 21)).isEqualTo(ids[1 << 21]);
        // A token past 2^31 in the second chunk is named by its position in the file, not in the chunk.
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(1024 + 4 * (n - 2), -2);
        Files.write(file, bytes);
        assertThatThrownBy(() -> TokenShard.read(file)).hasMessage(file + ": token 4294967294 at position " + (n - 2) + " is beyond any vocabulary (ids must be below 2^31)");
    }

    @Test
    void badFilesAreClearErrors() throws IOException {
        Path file = dir.resolve("bad.bin");
        Files.write(file, new byte[100]);
        assertThatThrownBy(() -> TokenShard.read(file)).isInstanceOf(FormatException.class)
                .hasMessage(file + ": truncated: 100 bytes, shorter than the 1024-byte header of an llm.c token shard");
        Files.write(file, llmcShard(12345, 1, 0));
        assertThatThrownBy(() -> TokenShard.read(file))
                .hasMessage(file + ": bad magic 12345 at byte 0: not an llm.c token shard (expected 20240520 for uint16 tokens or 20240801 for uint32 tokens)");
        Files.write(file, llmcShard(20240520, 7, 0));
        assertThatThrownBy(() -> TokenShard.read(file)).hasMessage(file + ": unsupported version 7 at byte 4 (magic 20240520 goes with version 1: uint16 tokens)");
        Files.write(file, llmcShard(20240520, 1, 10, 1, 2, 3));
        assertThatThrownBy(() -> TokenShard.read(file))
                .hasMessage(file + ": truncated: the header says 10 tokens (20 bytes of uint16) but only 6 bytes of tokens follow");
        Files.write(file, llmcShard(20240520, 1, 2, 1, 2, 3));
        assertThatThrownBy(() -> TokenShard.read(file)).hasMessage(file + ": the header says 2 tokens (4 bytes of uint16) but 6 bytes of tokens follow");
        Files.write(file, llmcShard(20240520, 1, -1));
        assertThatThrownBy(() -> TokenShard.read(file)).hasMessage(file + ": negative token count -1 at byte 8 of the header");
        byte[] odd = Arrays.copyOf(llmcShard(20240520, 1, 1, 7), 1027);
        Files.write(file, odd);
        assertThatThrownBy(() -> TokenShard.read(file)).hasMessageContaining("the header says 1 tokens (2 bytes of uint16) but 3 bytes");
        assertThatThrownBy(() -> TokenShard.read(dir.resolve("missing.bin"))).hasMessageEndingWith("missing.bin: file not found");
    }

    @Test
    void aHeaderClaimingTwoBillionTokensIsRefusedBeforeAllocating() throws IOException {
        // Allocating first would be an OutOfMemoryError (char[2^31 − 1] exceeds the VM's array limit);
        // tests/Fuzzing also bounds the bytes each parse allocates.
        Path file = dir.resolve("liar.bin");
        Files.write(file, llmcShard(20240520, 1, Integer.MAX_VALUE, 1, 2, 3));
        assertThatThrownBy(() -> TokenShard.read(file)).isInstanceOf(FormatException.class).hasMessage(file
                + ": truncated: the header says 2147483647 tokens (4294967294 bytes of uint16) but only 6 bytes of tokens follow");
        Files.write(file, llmcWideShard(20240801, 7, Integer.MAX_VALUE, 1, 2, 3));
        assertThatThrownBy(() -> TokenShard.read(file)).isInstanceOf(FormatException.class).hasMessage(file
                + ": truncated: the header says 2147483647 tokens (8589934588 bytes of uint32) but only 12 bytes of tokens follow");
    }

    @Test
    void idsThatDoNotFitAreRefusedAndNothingIsLost() throws IOException {
        Path file = dir.resolve("keep.bin");
        TokenShard.write(file, new int[] {1, 2, 3});
        byte[] before = Files.readAllBytes(file);
        assertThatThrownBy(() -> TokenShard.write(file, new int[] {1, 100_000}, 100_000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("token 100000 at position 1 is outside the vocabulary of 100000");
        assertThatThrownBy(() -> TokenShard.write(file, new int[] {1, 70_000}))
                .hasMessage("token 70000 at position 1 does not fit an llm.c shard of uint16 tokens (ids 0..65535)");
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
