package io.cpo4j.cli;

import java.io.PrintStream;
import java.util.List;

/**
 * {@code ./cpo4j bench}: the launcher hands it to {@code bench/run.sh}, which runs the JMH
 * benchmarks (a separate module with JMH on its class path) beside the native peers. Reaching this
 * class means the CLI was started without the launcher.
 */
final class BenchCommand implements Command {

    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String summary() {
        return "JMH benchmarks of the hot paths beside OpenBLAS and PyTorch; writes bench/results/<date>.md";
    }

    @Override
    public String help() {
        return """
                usage: ./cpo4j bench [--only REGEX] [--threads 1,2] [--no-peers] [--quick] [--out DIR] [--peers DIR]

                Runs the JMH benchmarks (matmul, softmax, attention, layernorm, GELU, cross-entropy,
                AdamW, a full training step, decoding, memory bandwidth, a CPO step) on 1 and 2 threads
                and, in the same run, the native peers from ../shared/peers (OpenBLAS through numpy,
                PyTorch) when they are installed, then writes bench/results/<date>.md with the ratio
                Java / peer on every row. The launcher runs bench/run.sh; see docs/BENCHMARKS.md.
                """;
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        err.println("cpo4j bench: run it through the launcher, ./cpo4j bench (it starts bench/run.sh, which puts JMH on the class path)");
        return 2;
    }
}
