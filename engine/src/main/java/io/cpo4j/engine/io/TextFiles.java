package io.cpo4j.engine.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reading whole files with errors that name the file (missing, a folder, too large, or not valid
 * UTF-8, and where). Every read has a size cap, checked before reading when the file has a size
 * and while reading when it has none (a FIFO, {@code /dev/zero}), so a wrong path gives one line
 * instead of gigabytes read and an OutOfMemoryError.
 */
public final class TextFiles {

    /** Default cap for small structured files: config.json, run options, tokenizer JSON. */
    public static final long CONFIG_CAP = 64L << 20;
    /**
     * Default cap for training text and data files. 1 GiB keeps the decoded text within one Java
     * string (at most 2^31 − 1 chars) and within a few GB of heap; larger corpora belong in
     * token shards, which are not read through here.
     */
    public static final long DATA_CAP = 1L << 30;
    /** The largest array, the hard limit of any cap. */
    static final long MAX_CAP = Integer.MAX_VALUE - 8;

    /** The cap for config files: {@link #CONFIG_CAP}, or the system property {@code cpo4j.maxConfigBytes}. */
    public static long configCap() {
        return cap("cpo4j.maxConfigBytes", CONFIG_CAP);
    }

    /** The cap for data files: {@link #DATA_CAP}, or the system property {@code cpo4j.maxDataBytes}. */
    public static long dataCap() {
        return cap("cpo4j.maxDataBytes", DATA_CAP);
    }

    private static long cap(String property, long fallback) {
        return Math.max(0, Math.min(MAX_CAP, Long.getLong(property, fallback)));
    }

    private static final int CHUNK = 1 << 20;

    private TextFiles() {}

    /** A small text file (config, JSON), at most {@link #configCap()} bytes. */
    public static String readUtf8(Path file) throws IOException {
        return readUtf8(file, configCap());
    }

    /** A text file of at most {@code cap} bytes, strictly decoded. */
    public static String readUtf8(Path file, long cap) throws IOException {
        return decodeUtf8(readBytes(file, cap), file.toString());
    }

    /**
     * The bytes of a file of at most {@code cap} bytes (cap below 2^31 − 8, the largest array).
     * Missing, a folder, or larger than the cap: a {@link FormatException} naming the file, its
     * size and the cap.
     */
    public static byte[] readBytes(Path file, long cap) throws IOException {
        if (cap < 0 || cap > MAX_CAP) throw new IllegalArgumentException("read cap " + cap + " must be in [0, 2^31 - 8)");
        if (Files.isDirectory(file)) throw new FormatException(file.toString(), "is a folder, expected a file");
        if (Files.isRegularFile(file)) {
            long size = Files.size(file);
            if (size > cap) throw tooLarge(file, bytes(size), cap);
        }
        try (InputStream in = Files.newInputStream(file)) {
            return readBytes(in, file.toString(), cap);
        } catch (NoSuchFileException e) {
            throw new FormatException(file.toString(), "file not found");
        }
    }

    /**
     * At most {@code cap} bytes of a stream (stdin, a pipe), read to its end; more is a
     * {@link FormatException} naming {@code source}. Read in chunks and joined at the end, so
     * memory stays near the bytes read and an endless input stops one chunk past the cap.
     */
    public static byte[] readBytes(InputStream in, String source, long cap) throws IOException {
        if (cap < 0 || cap > MAX_CAP) throw new IllegalArgumentException("read cap " + cap + " must be in [0, 2^31 - 8)");
        List<byte[]> chunks = new ArrayList<>();
        long total = 0;
        while (true) {
            byte[] chunk = in.readNBytes(CHUNK);
            if (chunk.length == 0) break;
            total += chunk.length;
            if (total > cap) throw new FormatException(source, "has more than " + bytes(cap) + ", the limit for this kind of file" + raise(cap));
            chunks.add(chunk);
        }
        byte[] all = new byte[(int) total];
        int at = 0;
        for (byte[] c : chunks) {
            System.arraycopy(c, 0, all, at, c.length);
            at += c.length;
        }
        return all;
    }

    private static FormatException tooLarge(Path file, String size, long cap) {
        return new FormatException(file.toString(), "is " + size + ", more than the limit of " + bytes(cap) + " for this kind of file" + raise(cap));
    }

    /** How to raise the cap, when it is one of the two configurable ones. */
    private static String raise(long cap) {
        if (cap == dataCap()) return " (CPO4J_JAVA_OPTS=-Dcpo4j.maxDataBytes=N raises it)";
        if (cap == configCap()) return " (CPO4J_JAVA_OPTS=-Dcpo4j.maxConfigBytes=N raises it)";
        return "";
    }

    /** "1,234,567 bytes (1.2 MiB)". */
    static String bytes(long n) {
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%,d bytes", n) + (u < 0 ? "" : String.format(Locale.ROOT, " (%.1f %s)", v, units[u]));
    }

    /** Strict UTF-8 decoding; the error gives the byte offset of the first invalid sequence. */
    public static String decodeUtf8(byte[] bytes, String source) throws FormatException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            int bad = firstInvalid(bytes);
            throw new FormatException(source, "not valid UTF-8 (first bad byte at offset " + bad + ")");
        }
    }

    private static int firstInvalid(byte[] b) {
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(b);
        var out = java.nio.CharBuffer.allocate(b.length + 1);
        decoder.decode(in, out, true);
        return in.position();
    }
}
