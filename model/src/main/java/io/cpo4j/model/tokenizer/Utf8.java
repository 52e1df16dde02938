package io.cpo4j.model.tokenizer;

import io.cpo4j.engine.io.FormatException;
import io.cpo4j.engine.io.TextFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * UTF-8 both ways, with the two policies the tokenizers need: lenient decoding that replaces each
 * maximal invalid subsequence with U+FFFD exactly as Python's {@code bytes.decode("utf-8",
 * errors="replace")} does (so decoding ids that end mid-character never throws), and strict
 * decoding that names the file, byte offset and line of the first invalid byte (so user data is
 * never silently altered).
 */
public final class Utf8 {

    private static final char REPLACEMENT = '\uFFFD';

    private Utf8() {}

    /** Decodes with U+FFFD for every maximal invalid subsequence (Python's {@code errors="replace"}). */
    public static String decodeLenient(byte[] bytes, int offset, int length) {
        char[] out = new char[length];
        int n = decode(bytes, offset, offset + length, out, false);
        return new String(out, 0, n);
    }

    public static String decodeLenient(byte[] bytes) {
        return decodeLenient(bytes, 0, bytes.length);
    }

    /** Decodes, or fails naming the source, the byte offset, line and column of the first invalid byte. */
    public static String decodeStrict(byte[] bytes, int offset, int length, String source) throws FormatException {
        char[] out = new char[length];
        int n = decode(bytes, offset, offset + length, out, true);
        if (n < 0) {
            int bad = -n - 1;
            int line = 1, lineStart = offset;
            for (int i = offset; i < bad; i++) {
                if (bytes[i] == '\n') {
                    line++;
                    lineStart = i + 1;
                }
            }
            throw new FormatException(source, String.format("invalid UTF-8 at byte %d (line %d, column %d): a sequence starting with 0x%02X",
                    bad - offset, line, bad - lineStart + 1, bytes[bad] & 0xFF));
        }
        return new String(out, 0, n);
    }

    public static String decodeStrict(byte[] bytes, String source) throws FormatException {
        return decodeStrict(bytes, 0, bytes.length, source);
    }

    /** The index of the first byte of the first invalid sequence in bytes[offset, offset + length), or −1. */
    public static int firstInvalid(byte[] bytes, int offset, int length) {
        int n = decode(bytes, offset, offset + length, new char[length], true);
        return n < 0 ? -n - 1 : -1;
    }

    /** Reads a whole UTF-8 text file; a missing file or invalid UTF-8 is a {@link FormatException} naming it. */
    public static String readFile(Path file) throws IOException {
        return decodeStrict(readBytes(file), file.toString());
    }

    /** Reads a whole data file of at most {@link TextFiles#dataCap()} bytes; a missing, too large or folder path is a {@link FormatException} naming it. */
    public static byte[] readBytes(Path file) throws IOException {
        return TextFiles.readBytes(file, TextFiles.dataCap());
    }

    /**
     * Decodes bytes[from, to) into out; returns the number of chars written, or in strict mode
     * −(index + 1) of the first invalid byte. Valid sequences follow the Unicode standard's table
     * 3-7 (no overlongs, no surrogates, nothing above U+10FFFF).
     */
    private static int decode(byte[] in, int from, int to, char[] out, boolean strict) {
        int n = 0;
        int i = from;
        while (i < to) {
            int b0 = in[i] & 0xFF;
            if (b0 < 0x80) {
                out[n++] = (char) b0;
                i++;
                continue;
            }
            int need, lo = 0x80, hi = 0xBF, cp;
            if (b0 >= 0xC2 && b0 <= 0xDF) {
                need = 1;
                cp = b0 & 0x1F;
            } else if (b0 >= 0xE0 && b0 <= 0xEF) {
                need = 2;
                cp = b0 & 0x0F;
                if (b0 == 0xE0) lo = 0xA0;
                if (b0 == 0xED) hi = 0x9F;
            } else if (b0 >= 0xF0 && b0 <= 0xF4) {
                need = 3;
                cp = b0 & 0x07;
                if (b0 == 0xF0) lo = 0x90;
                if (b0 == 0xF4) hi = 0x8F;
            } else {
                if (strict) return -(i + 1);
                out[n++] = REPLACEMENT;
                i++;
                continue;
            }
            int j = i + 1;
            boolean ok = true;
            for (int k = 0; k < need; k++, j++) {
                int b = j < to ? in[j] & 0xFF : -1;
                int min = k == 0 ? lo : 0x80, max = k == 0 ? hi : 0xBF;
                if (b < min || b > max) {
                    ok = false;
                    break;
                }
                cp = (cp << 6) | (b & 0x3F);
            }
            if (!ok) {
                // The lead byte and the continuation bytes that fit form one maximal subpart.
                if (strict) return -(i + 1);
                out[n++] = REPLACEMENT;
                i = j;
                continue;
            }
            if (cp >= 0x10000) {
                out[n++] = Character.highSurrogate(cp);
                out[n++] = Character.lowSurrogate(cp);
            } else {
                out[n++] = (char) cp;
            }
            i = j;
        }
        return n;
    }

    /**
     * Appends the UTF-8 bytes of text[from, to) to buf starting at pos, growing it as needed;
     * returns the (possibly new) buffer, with the end position in {@code end[0]}. A lone
     * surrogate (not representable in UTF-8) is written as U+FFFD.
     */
    static byte[] encode(CharSequence text, int from, int to, byte[] buf, int pos, int[] end) {
        if (buf.length < pos + 3 * (to - from)) buf = java.util.Arrays.copyOf(buf, Math.max(2 * buf.length, pos + 3 * (to - from)));
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                buf[pos++] = (byte) c;
            } else if (c < 0x800) {
                buf[pos++] = (byte) (0xC0 | (c >> 6));
                buf[pos++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(text.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, text.charAt(++i));
                buf[pos++] = (byte) (0xF0 | (cp >> 18));
                buf[pos++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                buf[pos++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                buf[pos++] = (byte) (0x80 | (cp & 0x3F));
            } else {
                if (Character.isSurrogate(c)) c = REPLACEMENT;
                buf[pos++] = (byte) (0xE0 | (c >> 12));
                buf[pos++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                buf[pos++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        end[0] = pos;
        return buf;
    }
}
