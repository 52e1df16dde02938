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
        for (Command c : List.<Command>of(new TrainCommand(), new EvalCommand(), new GenerateCommand(), new FinetuneCommand(), new EnsembleCommand())) {
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
        try {
            return command.run(rest, out, err);
        } catch (Options.UsageException e) {
            err.println("cpo4j " + e.getMessage());
            return 2;
        } catch (Exception e) {
            err.println("cpo4j " + command.name() + ": " + e.getMessage());
            if (Boolean.getBoolean("cpo4j.debug")) e.printStackTrace(err);
            return 1;
        }
    }

    static String usage() {
        StringBuilder sb = new StringBuilder("usage: ./cpo4j <command> [options]   (./cpo4j <command> --help for details)\n\ncommands:\n");
        for (Command c : COMMANDS.values()) sb.append(String.format("  %-10s %s%n", c.name(), c.summary()));
        return sb.toString();
    }
}
