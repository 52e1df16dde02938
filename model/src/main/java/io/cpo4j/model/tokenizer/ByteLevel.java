package io.cpo4j.model.tokenizer;

/**
 * GPT-2's byte-level alphabet ({@code bytes_to_unicode} in OpenAI's {@code encoder.py}): each of
 * the 256 byte values is shown as one printable character, so that vocabulary files can hold any
 * byte sequence as text. Printable Latin-1 bytes stand for themselves; the others (control
 * characters, space, 0x7F–0xA0, 0xAD) are shifted to U+0100 and up — a space is {@code Ġ}, a
 * newline {@code Ċ}.
 *
 * <p>The alphabet's order is also GPT-2's order of its first 256 token ids ({@code !} = 0,
 * {@code Ġ} = 220), which trained vocabularies here keep.
 */
public final class ByteLevel {

    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[512];
    private static final int[] BYTE_TO_RANK = new int[256];
    private static final int[] RANK_TO_BYTE = new int[256];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int rank = 0;
        for (int b = 0; b < 256; b++) {
            if (printable(b)) {
                BYTE_TO_CHAR[b] = (char) b;
                RANK_TO_BYTE[rank++] = b;
            }
        }
        int shifted = 0;
        for (int b = 0; b < 256; b++) {
            if (!printable(b)) {
                BYTE_TO_CHAR[b] = (char) (256 + shifted++);
                RANK_TO_BYTE[rank++] = b;
            }
        }
        for (int b = 0; b < 256; b++) CHAR_TO_BYTE[BYTE_TO_CHAR[b]] = b;
        for (int r = 0; r < 256; r++) BYTE_TO_RANK[RANK_TO_BYTE[r]] = r;
    }

    private ByteLevel() {}

    private static boolean printable(int b) {
        return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    }

    /** The character that stands for byte {@code b} (0..255). */
    public static char charOf(int b) {
        return BYTE_TO_CHAR[b & 0xFF];
    }

    /** The byte that character {@code c} stands for, or −1 when c is not in the alphabet. */
    public static int byteOf(char c) {
        return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
    }

    /** Position of byte {@code b} in the alphabet's order (GPT-2's id of that single byte). */
    public static int rankOf(int b) {
        return BYTE_TO_RANK[b & 0xFF];
    }

    /** The byte at position {@code rank} of the alphabet's order. */
    public static int byteAtRank(int rank) {
        return RANK_TO_BYTE[rank];
    }

    /** The byte-level text of a byte sequence, as vocabulary files write it. */
    public static String encode(byte[] bytes) {
        char[] chars = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) chars[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        return new String(chars);
    }

    /** The bytes a byte-level string stands for, or null when a character is outside the alphabet. */
    public static byte[] decode(String text) {
        byte[] bytes = new byte[text.length()];
        for (int i = 0; i < text.length(); i++) {
            int b = byteOf(text.charAt(i));
            if (b < 0) return null;
            bytes[i] = (byte) b;
        }
        return bytes;
    }
}
