package io.cpo4j.tests;

import io.cpo4j.engine.Rng;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Seeded mutations of a valid input, the classic fuzzing repertoire: bit flips, byte overwrites
 * with interesting values, insertions, deletions, truncation, duplicated spans, and (for text)
 * edits of digits and punctuation that keep the input almost well-formed, where parsers are weakest.
 */
final class Mutator {

    private static final byte[] INTERESTING = {0, 1, -1, 0x7f, (byte) 0x80, '0', '9', '-', '"', '[', ']', '{', '}', ',', ':', 'e', '.', '\\'};

    private final Rng rng;

    Mutator(long seed) {
        this.rng = new Rng(seed);
    }

    /** One to four mutations of {@code input}. */
    byte[] mutate(byte[] input) {
        byte[] out = input.clone();
        int n = 1 + rng.nextInt(4);
        for (int i = 0; i < n; i++) out = once(out);
        return out;
    }

    /** Mutates only the region [from, to) (e.g. a header), leaving the rest as it was. */
    byte[] mutateRegion(byte[] input, int from, int to) {
        byte[] region = Arrays.copyOfRange(input, from, to);
        byte[] m = mutate(region);
        byte[] out = new byte[input.length - region.length + m.length];
        System.arraycopy(input, 0, out, 0, from);
        System.arraycopy(m, 0, out, from, m.length);
        System.arraycopy(input, to, out, from + m.length, input.length - to);
        return out;
    }

    private byte[] once(byte[] b) {
        if (b.length == 0) return new byte[] {INTERESTING[rng.nextInt(INTERESTING.length)]};
        int pos = rng.nextInt(b.length);
        switch (rng.nextInt(8)) {
            case 0 -> b[pos] ^= (byte) (1 << rng.nextInt(8));
            case 1 -> b[pos] = INTERESTING[rng.nextInt(INTERESTING.length)];
            case 2 -> {
                byte[] o = new byte[b.length + 1];
                System.arraycopy(b, 0, o, 0, pos);
                o[pos] = INTERESTING[rng.nextInt(INTERESTING.length)];
                System.arraycopy(b, pos, o, pos + 1, b.length - pos);
                return o;
            }
            case 3 -> {
                int len = 1 + rng.nextInt(Math.min(16, b.length - pos));
                byte[] o = new byte[b.length - len];
                System.arraycopy(b, 0, o, 0, pos);
                System.arraycopy(b, pos + len, o, pos, b.length - pos - len);
                return o;
            }
            case 4 -> {
                return Arrays.copyOf(b, pos);                                   // truncation
            }
            case 5 -> {
                int len = 1 + rng.nextInt(Math.min(32, b.length - pos));       // duplicate a span
                byte[] o = new byte[b.length + len];
                System.arraycopy(b, 0, o, 0, pos + len);
                System.arraycopy(b, pos, o, pos + len, b.length - pos);
                return o;
            }
            case 6 -> {
                if (b[pos] >= '0' && b[pos] <= '9') {                          // a digit becomes a bigger number
                    byte[] big = ("" + (rng.nextInt(3) == 0 ? "-" : "") + (rng.nextLong() >>> rng.nextInt(60))).getBytes(StandardCharsets.US_ASCII);
                    byte[] o = new byte[b.length - 1 + big.length];
                    System.arraycopy(b, 0, o, 0, pos);
                    System.arraycopy(big, 0, o, pos, big.length);
                    System.arraycopy(b, pos + 1, o, pos + big.length, b.length - pos - 1);
                    return o;
                }
                b[pos] = (byte) rng.nextInt(256);
            }
            default -> b[pos] = (byte) rng.nextInt(256);
        }
        return b;
    }
}
