package io.cpo4j.tests;

import io.cpo4j.engine.Rng;
import io.cpo4j.engine.io.FormatException;
import io.cpo4j.engine.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The JSON reader under every config, header, vocabulary and dataset: what the writer writes
 * reads back as the same value (10,000 random values, compact and indented), mutated JSON is read
 * or refused with a {@link FormatException} (10,000 mutations, see {@link Fuzzing}), and hostile
 * nesting is refused rather than overflowing the stack.
 */
class JsonFuzzTest {

    static final int VALUES = 10_000;

    @Test
    @Timeout(120)
    void whatIsWrittenReadsBackAsTheSameValue() throws FormatException {
        Values values = new Values(31);
        for (int i = 0; i < VALUES; i++) {
            Object v = values.any(0);
            String compact = Json.write(v);
            String at = "value " + i + " (seed 31): " + (compact.length() > 200 ? compact.substring(0, 200) + "…" : compact);
            Object back = Json.parse(compact, "value.json");
            assertThat(back).as(at).isEqualTo(v);
            assertThat(Json.write(back)).as(at + " (key order)").isEqualTo(compact);
            assertThat(Json.parse(Json.writePretty(v), "value.json")).as(at + " (indented)").isEqualTo(v);
        }
    }

    @Test
    void everyLongReadsBackExactly() throws FormatException {
        for (long x : new long[] {Long.MAX_VALUE, Long.MIN_VALUE, 999_999_999_999_999_999L, 1_000_000_000_000_000_000L, -1_234_567_890_123_456_789L}) {
            assertThat(Json.parse(Long.toString(x), "n")).isEqualTo(x);
        }
    }

    @Test
    void everyFloatReadsBackExactly() throws FormatException {
        // Configs hold float hyper-parameters (layer_norm_epsilon, dropout): written as floats, read as doubles, cast back.
        Rng rng = new Rng(32);
        for (int i = 0; i < 100_000; i++) {
            float f = Float.intBitsToFloat((int) rng.nextLong());
            if (!Float.isFinite(f)) continue;
            Object back = Json.parse(Json.write(f), "f");
            assertThat(((Number) back).floatValue()).as("float bits %08x", Float.floatToRawIntBits(f)).isEqualTo(f);
        }
    }

    @Test
    @Timeout(120)
    void mutatedJsonIsReadOrRefused() {
        Values values = new Values(33);
        Map<String, Object> doc = new LinkedHashMap<>();
        for (int i = 0; i < 12; i++) doc.put("key" + i, values.any(1));
        byte[] valid = Json.writePretty(doc).getBytes(StandardCharsets.UTF_8);
        Fuzzing.Outcome o = Fuzzing.fuzz("JSON", 34, m -> m.mutate(valid), input -> {
            Object v = Json.parse(new String(input, StandardCharsets.UTF_8), "fuzz.json");
            assertThat(Json.parse(Json.write(v), "again.json")).isEqualTo(v);   // whatever is read can be written and read back
        }, "fuzz.json");
        assertThat(o.accepted()).isPositive();
        assertThat(o.refused()).isGreaterThan(Fuzzing.RUNS / 10);
    }

    @Test
    void hostileNestingIsRefusedNotAStackOverflow() throws FormatException {
        for (String opener : List.of("[", "{\"a\":", "[{\"k\":[", " [ \n")) {
            String deep = opener.repeat(200_000);
            assertThatThrownBy(() -> Json.parse(deep, "deep.json")).isInstanceOf(FormatException.class)
                    .hasMessageStartingWith("deep.json: line").hasMessageContaining("nesting deeper than " + Json.MAX_DEPTH);
        }
        String fits = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        assertThatThrownBy(() -> Json.parse("[" + fits + "]", "x")).hasMessageContaining("nesting deeper");
        assertThat(Json.parse(fits, "x")).isInstanceOf(List.class);
    }

    /** Random JSON values: every kind, with the strings and numbers parsers get wrong. */
    static final class Values {
        private static final String[] ODD_STRINGS = {"", "\"", "\\", "/", "\u0000", "\u001f", "\u007f", "\b\f\n\r\t", "é", "日本",
                "\uD83D\uDE00", "\u2028\u2029", "\uFEFF", "<|endoftext|>", "\\u0041", "null", "1e5"};
        private final Rng rng;

        Values(long seed) {
            rng = new Rng(seed);
        }

        Object any(int depth) {
            int kind = rng.nextInt(depth >= 4 ? 5 : 7);
            return switch (kind) {
                case 0 -> null;
                case 1 -> rng.nextInt(2) == 0;
                case 2 -> string();
                case 3 -> integer();
                case 4 -> real();
                case 5 -> {
                    List<Object> list = new ArrayList<>();
                    for (int i = rng.nextInt(5); i > 0; i--) list.add(any(depth + 1));
                    yield list;
                }
                default -> {
                    Map<String, Object> map = new LinkedHashMap<>();
                    for (int i = rng.nextInt(5); i > 0; i--) map.put(string(), any(depth + 1));
                    yield map;
                }
            };
        }

        String string() {
            StringBuilder sb = new StringBuilder();
            for (int i = rng.nextInt(6); i > 0; i--) {
                switch (rng.nextInt(4)) {
                    case 0 -> sb.append(ODD_STRINGS[rng.nextInt(ODD_STRINGS.length)]);
                    case 1 -> sb.append((char) rng.nextInt(0x10000));            // any UTF-16 unit, lone surrogates too
                    default -> sb.append((char) (' ' + rng.nextInt(95)));
                }
            }
            return sb.toString();
        }

        Long integer() {
            return switch (rng.nextInt(4)) {
                case 0 -> rng.nextLong();                                         // often 19 digits
                case 1 -> (long) rng.nextInt(1000) - 500;
                case 2 -> rng.nextInt(2) == 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
                default -> rng.nextLong() >> rng.nextInt(64);
            };
        }

        Double real() {
            double d = switch (rng.nextInt(5)) {
                case 0 -> Double.longBitsToDouble(rng.nextLong());
                case 1 -> rng.nextGaussian() * Math.pow(10, rng.nextInt(40) - 20);
                case 2 -> rng.nextInt(2) == 0 ? -0.0 : 0.0;
                case 3 -> (double) (rng.nextInt(2001) - 1000);                    // integral doubles stay doubles
                default -> rng.nextInt(2) == 0 ? Double.MIN_VALUE : Double.MAX_VALUE;
            };
            return Double.isFinite(d) ? d : 1.5;
        }
    }
}
