package io.cpo4j.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Whatever a command throws, Error included, ends as one line on stderr and exit 1 (2 for usage). */
class MainErrorsTest {

    record Throwing(Throwable t) implements Command {
        public String name() {
            return "boom";
        }

        public String summary() {
            return "";
        }

        public String help() {
            return "";
        }

        public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
            if (t instanceof Exception e) throw e;
            throw (Error) t;
        }
    }

    static String[] run(Throwable t) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = Main.run(new Throwing(t), List.of(), new PrintStream(err, true, StandardCharsets.UTF_8), new PrintStream(out, true, StandardCharsets.UTF_8));
        return new String[] {String.valueOf(code), err.toString(StandardCharsets.UTF_8), out.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void outOfMemoryIsOneLineWithTheHeapAndHowToRaiseIt() {
        String[] r = run(new OutOfMemoryError("Java heap space"));
        assertThat(r[0]).isEqualTo("1");
        assertThat(r[1].lines().count()).isEqualTo(1);
        long max = Runtime.getRuntime().maxMemory();
        assertThat(r[1]).startsWith("cpo4j boom: out of memory (Java heap space) with a Java heap of at most "
                        + String.format(java.util.Locale.ROOT, "%.1f GiB", max / (double) (1L << 30)))
                .contains("CPO4J_JAVA_OPTS=-Xmx" + Math.max(2, (2 * max + (1L << 30) - 1) >> 30) + "g ./cpo4j boom");
        assertThat(r[2]).isEmpty();
    }

    @Test
    void otherErrorsAndMessagelessExceptionsAreOneLineNeverNull() {
        String[] so = run(new StackOverflowError());
        assertThat(so[0]).isEqualTo("1");
        assertThat(so[1]).isEqualTo("cpo4j boom: stack overflow (input nested too deeply?); add -Xss to CPO4J_JAVA_OPTS for a larger thread stack\n");
        String[] ae = run(new AssertionError("two\nlines"));
        assertThat(ae[1]).isEqualTo("cpo4j boom: internal error: AssertionError: two lines (run with -Dcpo4j.debug=true for the stack trace)\n");
        String[] npe = run(new IllegalArgumentException());
        assertThat(npe[1]).isEqualTo("cpo4j boom: IllegalArgumentException\n");
        String[] usage = run(new Options.UsageException("boom: --x must be at least 1"));
        assertThat(usage[0]).isEqualTo("2");
    }
}
