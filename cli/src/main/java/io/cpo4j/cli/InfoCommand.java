package io.cpo4j.cli;

import io.cpo4j.engine.Engine;

import java.io.PrintStream;
import java.util.List;

/** {@code ./cpo4j info}: the engine's self-check. */
final class InfoCommand implements Command {

    @Override
    public String name() {
        return "info";
    }

    @Override
    public String summary() {
        return "engine self-check: JDK, vector width, FMA, threads, a cold-start matmul in GFLOPS";
    }

    @Override
    public String help() {
        return """
                usage: ./cpo4j info [--threads N]

                Prints the JDK, whether the Vector API path is taken and its width, FMA support,
                the engine's thread count, and a short 512×512×512 matmul measurement from a cold
                start, so that a slow path shows at once. Warnings end the report.

                  --threads N   size of the engine pool (default: available processors)
                """;
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        Options opts = Options.parse(name(), args, List.of("threads"), List.of());
        if (opts.value("threads").isPresent()) Engine.setThreads(opts.threads());
        Engine.SelfCheck check = Engine.selfCheck();
        out.print(check.report());
        return 0;
    }
}
