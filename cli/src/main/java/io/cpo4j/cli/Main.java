package io.cpo4j.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Entry point of the {@code ./cpo4j} command line. */
public final class Main {

    private static final Map<String, Command> COMMANDS = new LinkedHashMap<>();

    static {
        for (Command c : List.<Command>of(new DemoCommand(), new InfoCommand(), new TokenizerCommand(), new BenchCommand(), new ExperimentCommand())) COMMANDS.put(c.name(), c);
    }

    static {
        for (Command c : List.<Command>of(new TrainCommand(), new EvalCommand(), new GenerateCommand(), new FinetuneCommand(), new MergeCommand(), new EnsembleCommand())) {
            COMMANDS.put(c.name(), c);
        }
    }

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one command line; returns the exit code (0 ok, 1 failure, 2 usage error). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            out.print(usage());
            return args.length == 0 ? 2 : 0;
        }
        Command command = COMMANDS.get(args[0]);
        if (command == null) {
            err.println("cpo4j: unknown command '" + args[0] + "'. Commands: " + String.join(", ", COMMANDS.keySet()));
            return 2;
        }
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        if (rest.contains("--help") || rest.contains("-h")) {
            out.print(command.help(rest));
            return 0;
        }
        return run(command, rest, err, out);
    }

    /**
     * Runs {@code train …} or {@code finetune …} (the same options as on the command line) as one
     * replica of a data-parallel run; returns the exit code as {@link #run(String[], PrintStream, PrintStream)}.
     */
    public static int runReplica(List<String> args, PrintStream out, PrintStream err, DataParallel parallel) {
        String name = args.isEmpty() ? "" : args.get(0);
        Command command = switch (name) {
            case "train" -> new TrainCommand(parallel);
            case "finetune" -> new FinetuneCommand(parallel);
            default -> null;
        };
        if (command == null) {
            err.println("cpo4j: data-parallel runs take train or finetune, not '" + name + "'");
            return 2;
        }
        return run(command, args.subList(1, args.size()), err, out);
    }

    /** Runs one command, turning whatever it throws into one line on err and an exit code. */
    static int run(Command command, List<String> rest, PrintStream err, PrintStream out) {
        try {
            return command.run(rest, out, err);
        } catch (Options.UsageException e) {
            err.println("cpo4j " + e.getMessage());
            return 2;
        } catch (Exception e) {
            err.println("cpo4j " + command.name() + ": " + oneLine(e));
            if (Boolean.getBoolean("cpo4j.debug")) e.printStackTrace(err);
            return 1;
        } catch (OutOfMemoryError e) {
            // The heap is the limit the user can change: say how large it is and how to raise it.
            err.println("cpo4j " + command.name() + ": out of memory (" + oneLine(e) + ") with a Java heap of at most " + heap()
                    + "; use smaller sizes (--batch, --n, --max-new-tokens, the data) or give Java more memory, e.g. CPO4J_JAVA_OPTS=-Xmx"
                    + suggestedHeap() + " ./cpo4j " + command.name() + " …");
            if (Boolean.getBoolean("cpo4j.debug")) e.printStackTrace(err);
            return 1;
        } catch (StackOverflowError e) {
            err.println("cpo4j " + command.name() + ": stack overflow (input nested too deeply?); add -Xss to CPO4J_JAVA_OPTS for a larger thread stack");
            if (Boolean.getBoolean("cpo4j.debug")) e.printStackTrace(err);
            return 1;
        } catch (Error e) {
            err.println("cpo4j " + command.name() + ": internal error: " + e.getClass().getSimpleName() + ": " + oneLine(e) + " (run with -Dcpo4j.debug=true for the stack trace)");
            if (Boolean.getBoolean("cpo4j.debug")) e.printStackTrace(err);
            return 1;
        }
    }

    /** A throwable's message on one line; its class name when it has no message (never "null"). */
    static String oneLine(Throwable t) {
        String m = t.getMessage();
        if (m == null || m.isBlank()) return t.getClass().getSimpleName();
        return m.replaceAll("\\s*\\R\\s*", " ").strip();
    }

    private static String heap() {
        long max = Runtime.getRuntime().maxMemory();
        return max == Long.MAX_VALUE ? "no set limit" : String.format(java.util.Locale.ROOT, "%.1f GiB", max / (double) (1L << 30));
    }

    /** Twice the current heap, in whole GiB (at least 2g): a concrete next step. */
    private static String suggestedHeap() {
        long max = Runtime.getRuntime().maxMemory();
        long gib = max == Long.MAX_VALUE ? 8 : Math.max(2, (2 * max + (1L << 30) - 1) >> 30);
        return gib + "g";
    }

    static String usage() {
        StringBuilder sb = new StringBuilder("usage: ./cpo4j <command> [options]   (./cpo4j <command> --help for details)\n\ncommands:\n");
        for (Command c : COMMANDS.values()) sb.append(String.format("  %-10s %s%n", c.name(), c.summary()));
        return sb.toString();
    }
}
