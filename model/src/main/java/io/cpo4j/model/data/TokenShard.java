package io.cpo4j.model.data;

import io.cpo4j.engine.io.AtomicFiles;
import io.cpo4j.engine.io.FormatException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A token stream in llm.c's {@code .bin} shard format ({@code dev/data/data_common.py}), so data
 * prepared for llm.c works here and back: a header of 256 little-endian int32 — magic 20240520,
 * version 1, token count, then zeros — followed by the tokens as little-endian uint16. Vocabularies
 * up to 65,536 fit (GPT-2's 50,257 does).
 *
 * <p>Tokens are held in memory as {@code char} (an unsigned 16-bit value): two bytes a token.
 */
public final class TokenShard {

    public static final int MAGIC = 20240520;
    public static final int VERSION = 1;
    public static final int HEADER_INTS = 256;
    public static final int HEADER_BYTES = HEADER_INTS * 4;
    /** The largest vocabulary whose ids fit uint16. */
    public static final int MAX_VOCAB = 65536;
    /** llm.c's magic for LLaMA-3 shards (uint32 tokens), recognised only to say it is not supported. */
    private static final int MAGIC_UINT32 = 20240801;

    private final char[] tokens; // (N,)
    private final String source;

    private TokenShard(char[] tokens, String source) {
        this.tokens = tokens;
        this.source = source;
    }

    /** An in-memory stream of token ids (each must fit uint16). */
    public static TokenShard of(int[] ids) {
        return new TokenShard(toUint16(ids), "memory");
    }

    public int size() {
        return tokens.length;
    }

    public int get(int i) {
        return tokens[i];
    }

    /** Tokens [from, to) as ints. */
    public int[] slice(int from, int to) {
        int[] out = new int[to - from];
        for (int i = from; i < to; i++) out[i - from] = tokens[i];
        return out;
    }

    /** The file this stream was read from ("memory" for {@link #of}). */
    public String source() {
        return source;
    }

    char[] tokens() {
        return tokens;
    }

    /** Fails, naming the file and position, when a token is not below vocabSize. */
    public void checkVocabulary(int vocabSize) throws FormatException {
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] >= vocabSize) {
                throw new FormatException(source, "token " + (int) tokens[i] + " at position " + i + " is outside the vocabulary of " + vocabSize);
            }
        }
    }

    // ---------------------------------------------------------------- reading

    public static TokenShard read(Path file) throws IOException {
        String source = file.toString();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < HEADER_BYTES) {
                throw new FormatException(source, "truncated: " + size + " bytes, shorter than the " + HEADER_BYTES + "-byte header of an llm.c token shard");
            }
            ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, header, 0);
            int magic = header.getInt(0), version = header.getInt(4), count = header.getInt(8);
            if (magic == MAGIC_UINT32) {
                throw new FormatException(source, "an llm.c shard of uint32 tokens (magic " + MAGIC_UINT32 + ", LLaMA-3 style) — only GPT-2 shards (magic " + MAGIC + ", uint16 tokens) are supported");
            }
            if (magic != MAGIC) throw new FormatException(source, "bad magic " + magic + ": not an llm.c token shard (expected " + MAGIC + ")");
            if (version != VERSION) throw new FormatException(source, "unsupported version " + version + " (expected " + VERSION + ": uint16 tokens)");
            if (count < 0) throw new FormatException(source, "negative token count " + count + " in the header");
            long expected = 2L * count, actual = size - HEADER_BYTES;
            if (actual < expected) {
                throw new FormatException(source, "truncated: the header says " + count + " tokens (" + expected + " bytes) but only " + actual + " bytes of tokens follow");
            }
            if (actual > expected) {
                throw new FormatException(source, "the header says " + count + " tokens (" + expected + " bytes) but " + actual + " bytes of tokens follow");
            }
            char[] tokens = new char[count];
            int chunkTokens = 1 << 24;
            ByteBuffer buf = ByteBuffer.allocate(2 * Math.min(count, chunkTokens)).order(ByteOrder.LITTLE_ENDIAN);
            for (int done = 0; done < count; ) {
                int n = Math.min(chunkTokens, count - done);
                buf.clear().limit(2 * n);
                readFully(ch, buf, HEADER_BYTES + 2L * done);
                buf.flip();
                buf.asCharBuffer().get(tokens, done, n);
                done += n;
            }
            return new TokenShard(tokens, source);
        } catch (NoSuchFileException e) {
            throw new FormatException(source, "file not found");
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, position);
            if (n < 0) throw new IOException("unexpected end of file");
            position += n;
        }
    }

    // ---------------------------------------------------------------- writing

    /** Writes tokens of a vocabulary as an llm.c shard; refuses a vocabulary larger than uint16 holds. */
    public static void write(Path file, int[] ids, int vocabSize) throws IOException {
        if (vocabSize > MAX_VOCAB) {
            throw new IllegalArgumentException("a vocabulary of " + vocabSize + " tokens cannot be written to an llm.c shard: its tokens are uint16, so at most " + MAX_VOCAB + " ids");
        }
        write(file, ids);
    }

    /** Writes token ids (each in [0, 65535]) as an llm.c shard, atomically. */
    public static void write(Path file, int[] ids) throws IOException {
        char[] tokens = toUint16(ids);
        AtomicFiles.write(file, out -> {
            ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            header.putInt(0, MAGIC).putInt(4, VERSION).putInt(8, tokens.length);
            out.write(header.array());
            ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (char t : tokens) {
                if (!buf.hasRemaining()) {
                    out.write(buf.array(), 0, buf.position());
                    buf.clear();
                }
                buf.putChar(t);
            }
            out.write(buf.array(), 0, buf.position());
        });
    }

    /** This stream written to a file. */
    public void write(Path file) throws IOException {
        int[] ids = new int[tokens.length];
        for (int i = 0; i < ids.length; i++) ids[i] = tokens[i];
        write(file, ids);
    }

    private static char[] toUint16(int[] ids) {
        char[] tokens = new char[ids.length];
        for (int i = 0; i < ids.length; i++) {
            int id = ids[i];
            if (id < 0 || id >= MAX_VOCAB) {
                throw new IllegalArgumentException("token " + id + " at position " + i + " does not fit an llm.c shard (uint16: ids 0.." + (MAX_VOCAB - 1) + ")");
            }
            tokens[i] = (char) id;
        }
        return tokens;
    }
}
