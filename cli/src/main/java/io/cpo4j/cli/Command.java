package io.cpo4j.cli;

import java.io.PrintStream;
import java.util.List;

/** One {@code ./cpo4j} subcommand. */
interface Command {

    String name();

    /** One line for the command list. */
    String summary();

    /** The full {@code --help} text. */
    String help();

    /** The help for {@code ./cpo4j <command> ARGS --help}; commands with subcommands narrow it to the one named. */
    default String help(List<String> args) {
        return help();
    }

    /** Runs with the arguments after the command name; returns the process exit code. */
    int run(List<String> args, PrintStream out, PrintStream err) throws Exception;
}
