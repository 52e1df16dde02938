package io.cpo4j.model.data;

import io.cpo4j.engine.io.AtomicFiles;
import io.cpo4j.engine.io.FormatException;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A token stream in llm.c's {@code .bin} shard formats ({@code dev/data/data_common.py}), so data
 * prepared for llm.c works here and back: a header of 256 little-endian int32 — magic, version,
 * token count, then zeros — followed by the tokens, little-endian. Two formats, told apart by the
 * header ({@link Format}): GPT-2's uint16 tokens (magic 20240520, version 1) for vocabularies up to
 * 65,536, and LLaMA-3's uint32 tokens (magic 20240801, version 7) for larger ones.
 *
 * <p>In memory a uint16 shard stays two bytes a token ({@code char[]}, an unsigned 16-bit value);
 * only a uint32 shard takes four ({@code int[]}). One of the two arrays is set: a shard of GPT-2
 * tokens costs what it did before uint32 existed, and the copy into batches ({@link #copy}) is
 * one branch a window, not a token.
 */
public final class TokenShard {

    /** The two llm.c layouts: the header's magic and version, and the width of a token. */
    public enum Format {
        /** GPT-2: uint16 tokens, vocabularies up to 65,536. */
        UINT16(20240520, 1, 2),
        /** LLaMA-3: uint32 tokens (ids above 2^31 − 1 are refused: no vocabulary is that large). */
        UINT32(20240801, 7, 4);

        public final int magic, version, bytesPerToken;

        Format(int magic, int version, int bytesPerToken) {
            this.magic = magic;
            this.version = version;
            this.bytesPerToken = bytesPerToken;
        }

        /** The smallest format whose tokens hold every id of a vocabulary of this size. */
        public static Format forVocabulary(int vocabSize) {
            if (vocabSize <= 0) throw new IllegalArgumentException("vocabulary size must be positive, got " + vocabSize);
            return vocabSize <= MAX_VOCAB ? UINT16 : UINT32;
        }

        static Format ofMagic(int magic) {
            for (Format f : values()) if (f.magic == magic) return f;
            return null;
        }
    }

    public static final int HEADER_INTS = 256;
    public static final int HEADER_BYTES = HEADER_INTS * 4;
    /** The largest vocabulary whose ids fit uint16. */
    public static final int MAX_VOCAB = 65536;
    /** GPT-2's magic and version (kept for callers that knew only this format). */
    public static final int MAGIC = Format.UINT16.magic;
    public static final int VERSION = Format.UINT16.version;

    private final char[] narrow; // (N,) when UINT16, else null
    private final int[] wide;    // (N,) when UINT32, else null
    private final String source;

    private TokenShard(char[] narrow, int[] wide, String source) {
        this.narrow = narrow;
        this.wide = wide;
        this.source = source;
    }

    /** An in-memory stream of token ids, kept two bytes a token when every id fits uint16. */
    public static TokenShard of(int[] ids) {
        int max = -1;
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0) throw new IllegalArgumentException("token " + ids[i] + " at position " + i + " is negative");
            max = Math.max(max, ids[i]);
        }
        return max < MAX_VOCAB ? new TokenShard(toUint16(ids), null, "memory") : new TokenShard(null, ids.clone(), "memory");
    }

    public int size() {
        return narrow != null ? narrow.length : wide.length;
    }

    public int get(int i) {
        return narrow != null ? narrow[i] : wide[i];
    }

    /** How this stream is held and would be written by {@link #write(Path)}. */
    public Format format() {
        return narrow != null ? Format.UINT16 : Format.UINT32;
    }

    /** Tokens [from, to) as ints. */
    public int[] slice(int from, int to) {
        int[] out = new int[to - from];
        copy(from, out, 0, to - from);
        return out;
    }

    /** Copies tokens [from, from + length) into {@code dst} at {@code offset}. */
    public void copy(int from, int[] dst, int offset, int length) {
        if (wide != null) {
            System.arraycopy(wide, from, dst, offset, length);
            return;
        }
        for (int i = 0; i < length; i++) dst[offset + i] = narrow[from + i];
    }

    /** The file this stream was read from ("memory" for {@link #of}). */
    public String source() {
        return source;
    }

    /** Fails, naming the file and position, when a token is not below vocabSize. */
    public void checkVocabulary(int vocabSize) throws FormatException {
        for (int i = 0, n = size(); i < n; i++) {
            int t = get(i);
            if (t >= vocabSize) throw new FormatException(source, "token " + t + " at position " + i + " is outside the vocabulary of " + vocabSize);
        }
    }

    // ---------------------------------------------------------------- reading

    /** Reads either format; the header says which. */
    public static TokenShard read(Path file) throws IOException {
        String source = file.toString();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < HEADER_BYTES) {
                throw new FormatException(source, "truncated: " + size + " bytes, shorter than the " + HEADER_BYTES + "-byte header of an llm.c token shard");
            }
            ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, header, 0);
            Format format = checkHeader(source, header, size);
            int count = header.getInt(8);
            return format == Format.UINT16 ? new TokenShard(readUint16(ch, count), null, source) : new TokenShard(null, readUint32(ch, count, source), source);
        } catch (NoSuchFileException e) {
            throw new FormatException(source, "file not found");
        }
    }

    /** The format the header names, once its version and token count agree with the file's size. */
    private static Format checkHeader(String source, ByteBuffer header, long size) throws FormatException {
        int magic = header.getInt(0), version = header.getInt(4), count = header.getInt(8);
        Format format = Format.ofMagic(magic);
        if (format == null) {
            throw new FormatException(source, "bad magic " + magic + " at byte 0: not an llm.c token shard (expected " + Format.UINT16.magic + " for uint16 tokens or "
                    + Format.UINT32.magic + " for uint32 tokens)");
        }
        if (version != format.version) {
            throw new FormatException(source, "unsupported version " + version + " at byte 4 (magic " + magic + " goes with version " + format.version + ": "
                    + format.name().toLowerCase() + " tokens)");
        }
        if (count < 0) throw new FormatException(source, "negative token count " + count + " at byte 8 of the header");
        long expected = (long) format.bytesPerToken * count, actual = size - HEADER_BYTES;
        if (actual < expected) {
            throw new FormatException(source, "truncated: the header says " + count + " tokens (" + expected + " bytes of " + format.name().toLowerCase()
                    + ") but only " + actual + " bytes of tokens follow");
        }
        if (actual > expected) {
            throw new FormatException(source, "the header says " + count + " tokens (" + expected + " bytes of " + format.name().toLowerCase() + ") but "
                    + actual + " bytes of tokens follow");
        }
        return format;
    }

    private static final int CHUNK_TOKENS = 1 << 22;

    private static char[] readUint16(FileChannel ch, int count) throws IOException {
        char[] tokens = new char[count];
        readChunks(ch, count, 2, (chunk, done, n) -> chunk.asCharBuffer().get(tokens, done, n));
        return tokens;
    }

    /** uint32 tokens as ints; one at or above 2^31 cannot be an id of any vocabulary, and is refused here. */
    private static int[] readUint32(FileChannel ch, int count, String source) throws IOException {
        int[] tokens = new int[count];
        readChunks(ch, count, 4, (chunk, done, n) -> {
            chunk.asIntBuffer().get(tokens, done, n);
            for (int i = done; i < done + n; i++) {
                if (tokens[i] < 0) {
                    throw new FormatException(source, "token " + Integer.toUnsignedString(tokens[i]) + " at position " + i + " is beyond any vocabulary (ids must be below 2^31)");
                }
            }
        });
        return tokens;
    }

    /** Receives the tokens [done, done + n) of a shard as little-endian bytes. */
    private interface Chunk {
        void accept(ByteBuffer chunk, int done, int n) throws FormatException;
    }

    /** The count tokens of {@code width} bytes after the header, a bounded buffer at a time. */
    private static void readChunks(FileChannel ch, int count, int width, Chunk sink) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(width * Math.min(count, CHUNK_TOKENS)).order(ByteOrder.LITTLE_ENDIAN);
        for (int done = 0; done < count; ) {
            int n = Math.min(CHUNK_TOKENS, count - done);
            buf.clear().limit(width * n);
            readFully(ch, buf, HEADER_BYTES + (long) width * done);
            buf.flip();
            sink.accept(buf, done, n);
            done += n;
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

    /** Writes tokens of a vocabulary in the format that vocabulary needs: uint16 up to 65,536 ids, uint32 beyond. */
    public static void write(Path file, int[] ids, int vocabSize) throws IOException {
        Format format = Format.forVocabulary(vocabSize);
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocabSize) {
                throw new IllegalArgumentException("token " + ids[i] + " at position " + i + " is outside the vocabulary of " + vocabSize);
            }
        }
        write(file, ids, format);
    }

    /** Writes token ids (each in [0, 65535]) as a GPT-2 (uint16) llm.c shard, atomically. */
    public static void write(Path file, int[] ids) throws IOException {
        write(file, ids, Format.UINT16);
    }

    /** Writes token ids as an llm.c shard of the given format, atomically; ids that do not fit it are refused before the file is touched. */
    public static void write(Path file, int[] ids, Format format) throws IOException {
        long limit = format == Format.UINT16 ? MAX_VOCAB : 1L << 31;
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= limit) {
                throw new IllegalArgumentException("token " + ids[i] + " at position " + i + " does not fit an llm.c shard of "
                        + format.name().toLowerCase() + " tokens (ids 0.." + (limit - 1) + ")");
            }
        }
        AtomicFiles.write(file, out -> writeTo(out, ids, format));
    }

    private static void writeTo(OutputStream out, int[] ids, Format format) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(0, format.magic).putInt(4, format.version).putInt(8, ids.length);
        out.write(header.array());
        ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (int id : ids) {
            if (buf.remaining() < format.bytesPerToken) {
                out.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            if (format == Format.UINT16) buf.putChar((char) id);
            else buf.putInt(id);
        }
        out.write(buf.array(), 0, buf.position());
    }

    /** This stream written to a file, in its own {@link #format()}. */
    public void write(Path file) throws IOException {
        write(file, slice(0, size()), format());
    }

    private static char[] toUint16(int[] ids) {
        char[] tokens = new char[ids.length];
        for (int i = 0; i < ids.length; i++) tokens[i] = (char) ids[i];
        return tokens;
    }
}
