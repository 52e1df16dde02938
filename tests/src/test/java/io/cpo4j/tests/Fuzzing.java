package io.cpo4j.tests;

import io.cpo4j.engine.io.FormatException;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.fail;

/**
 * The fuzzing harness every parser test shares: {@link #RUNS} seeded mutations of a valid file go
 * to a parser, which must either read the input or end with a {@link FormatException} whose message
 * names the file and says what is wrong. Anything else — IndexOutOfBounds, NegativeArraySize,
 * OutOfMemoryError, a stack overflow, any other exception, or an allocation out of proportion to
 * the input (a header claiming 2^31 elements must be refused before allocating) — fails the test
 * and names the seed and mutation that reproduce it. Hangs are caught by each test's timeout.
 */
final class Fuzzing {

    static final int RUNS = 10_000;

    /** A parse may allocate this much plus {@link #ALLOCATION_PER_INPUT_BYTE} per byte of input. */
    static final long ALLOCATION_BASE = 16L << 20;
    static final long ALLOCATION_PER_INPUT_BYTE = 64;

    interface Parser {
        void parse(byte[] input) throws IOException;
    }

    /**
     * What a fuzzing run saw.
     *
     * @param accepted   inputs the parser read
     * @param refused    inputs refused with a FormatException
     * @param messages   one example message per kind of refusal (digits and quoted text blanked out in the key)
     * @param mostAllocated the most bytes one parse allocated (the first includes loading classes)
     */
    record Outcome(int accepted, int refused, Map<String, String> messages, long mostAllocated) {}

    private Fuzzing() {}

    /**
     * Runs {@link #RUNS} inputs made by {@code inputs} from a seeded {@link Mutator}; every refusal
     * must mention one of {@code names} (the file being fuzzed), followed by what is wrong.
     */
    static Outcome fuzz(String what, long seed, Function<Mutator, byte[]> inputs, Parser parser, String... names) {
        Mutator m = new Mutator(seed);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        int accepted = 0, refused = 0;
        long mostAllocated = 0;
        Map<String, String> messages = new TreeMap<>();
        for (int i = 0; i < RUNS; i++) {
            byte[] input = inputs.apply(m);
            String at = what + ": mutation " + i + " (seed " + seed + ")";
            long before = threads.getCurrentThreadAllocatedBytes();
            try {
                parser.parse(input);
                accepted++;
            } catch (FormatException refusal) {
                refused++;
                checkMessage(at, refusal.getMessage(), names);
                messages.putIfAbsent(kind(refusal.getMessage(), names), refusal.getMessage());
            } catch (Throwable t) {
                fail(at + " threw " + t + " instead of a FormatException", t);
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            if (allocated > ALLOCATION_BASE + ALLOCATION_PER_INPUT_BYTE * input.length) {
                fail(at + " allocated " + allocated + " bytes for an input of " + input.length + " bytes");
            }
            mostAllocated = Math.max(mostAllocated, allocated);
        }
        Outcome outcome = new Outcome(accepted, refused, messages, mostAllocated);
        print(what, outcome);
        return outcome;
    }

    private static void checkMessage(String at, String message, String... names) {
        for (String name : names) {
            int i = message == null ? -1 : message.indexOf(name);
            if (i >= 0 && message.indexOf(": ") > 0 && message.length() > message.indexOf(": ") + 5) return;
        }
        fail(at + ": the message does not name the file (" + String.join(" or ", names) + ") and the problem: " + message);
    }

    /** The message with everything before the file name, numbers and quoted text blanked out: one key per kind of problem. */
    private static String kind(String message, String... names) {
        String m = message;
        for (String name : names) {
            int i = m.indexOf(name);
            if (i >= 0) {
                m = m.substring(i);
                break;
            }
        }
        return m.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"…\"").replaceAll("'[^']*'", "'…'").replaceAll("escape .*", "escape …")
                .replaceAll("character .*", "character …").replaceAll("0x[0-9A-F]+", "0x#").replaceAll("-?[0-9]+", "#");
    }

    private static void print(String what, Outcome o) {
        System.out.printf("%s: %d accepted, %d refused, %d kinds of refusal, at most %d bytes allocated by one parse%n",
                what, o.accepted(), o.refused(), o.messages().size(), o.mostAllocated());
        o.messages().values().forEach(msg -> System.out.println("  " + (msg.length() > 300 ? msg.substring(0, 300) + "…" : msg)));
    }
}
