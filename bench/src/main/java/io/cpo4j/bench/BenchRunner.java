package io.cpo4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;

/**
 * Runs the JMH benchmarks and the native peers in one go and writes
 * {@code bench/results/<date>.md}. Start it with {@code bench/run.sh} (it picks a JDK >= 21,
 * builds, and passes its arguments here).
 *
 * <pre>
 * options: --only REGEX     JMH include pattern (default: every benchmark)
 *          --threads 1,2    thread counts (default 1,2)
 *          --no-peers       skip OpenBLAS / PyTorch
 *          --quick          short iterations, for trying the runner out (not for figures)
 *          --out DIR        results folder (default bench/results under the checkout)
 *          --peers DIR      peer scripts (default ../shared/peers next to the checkout)
 * </pre>
 */
public final class BenchRunner {

    private BenchRunner() {}

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("cpo4j.root", ".")).toAbsolutePath().normalize();
        String only = ".*Benchmark.*";
        List<Integer> threads = List.of(1, 2);
        boolean peers = true, quick = false;
        Path out = root.resolve("bench/results"), peersDir = root.resolve("../shared/peers").normalize();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--only" -> only = value(args, ++i);
                case "--threads" -> threads = Arrays.stream(value(args, ++i).split(",")).map(String::trim).map(Integer::valueOf).toList();
                case "--no-peers" -> peers = false;
                case "--quick" -> quick = true;
                case "--out" -> out = Path.of(value(args, ++i));
                case "--peers" -> peersDir = Path.of(value(args, ++i));
                default -> {
                    System.err.println("bench: unknown option " + args[i] + " (options: --only REGEX, --threads 1,2, --no-peers, --quick, --out DIR, --peers DIR)");
                    System.exit(2);
                }
            }
        }
        Machine machine = Machine.describe();
        String loadBefore = Machine.loadAverage();
        Path work = Files.createTempDirectory("cpo4j-bench");
        java.util.Map<Integer, Double> peak = FmaPeak.measure(peersDir, threads, work);
        Peers.Outcome peerOutcome = peers
                ? Peers.run(peersDir, root.resolve("bench/peers/torch_kernels.py"), machine, threads, quick, work)
                : new Peers.Outcome(List.of(), "n/a", "n/a", null, List.of("peers skipped (--no-peers)"));
        String loadBetween = Machine.loadAverage();
        List<JmhRun.Timing> timings = JmhRun.run(only, threads, quick);
        String loadAfter = Machine.loadAverage();

        String command = System.getProperty("cpo4j.bench.command", "bench/run.sh " + String.join(" ", args)).trim();
        String noise = quick ? "--quick run: short iterations, figures are indicative only" : null;
        String md = Report.write(new Report.Context(LocalDate.now().toString(), command, machine, loadBefore + " (peers next); " + loadBetween + " (JMH next)", loadAfter, peak, peerOutcome, noise), timings);
        Files.createDirectories(out);
        Path file = freeName(out, LocalDate.now().toString());
        Files.writeString(file, md);
        System.out.println();
        System.out.println(md);
        System.out.println("wrote " + file);
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            System.err.println("bench: option " + args[i - 1] + " needs a value");
            System.exit(2);
        }
        return args[i];
    }

    /** {@code <date>.md}, or {@code <date>-2.md} and so on when a run of the same day is already there. */
    private static Path freeName(Path dir, String date) throws IOException {
        Path p = dir.resolve(date + ".md");
        for (int i = 2; Files.exists(p); i++) p = dir.resolve(date + "-" + i + ".md");
        return p;
    }
}
