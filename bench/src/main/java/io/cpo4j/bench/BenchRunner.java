package io.cpo4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Runs the JMH benchmarks and the native peers and writes {@code bench/results/<date>.md}.
 * Start it with {@code bench/run.sh} (it picks a JDK >= 21, builds, and passes its arguments here).
 *
 * <p>The work goes in groups (matmul, softmax, the other kernels, a training step, the Llama training
 * step, decoding, a CPO step, the GPT-2 tokenizer on one thread) and thread counts; within
 * each, the peers run first and the JMH benchmarks right after, so that a ratio compares figures
 * taken minutes apart on a machine whose load may drift.
 *
 * <pre>
 * options: --only REGEX     which benchmark classes, e.g. Matmul or Softmax (default: all)
 *          --threads 1,2    thread counts (default 1,2)
 *          --no-peers       skip OpenBLAS / PyTorch
 *          --quick          short iterations, for trying the runner out (not for figures)
 *          --out DIR        results folder (default bench/results under the checkout)
 *          --peers DIR      peer scripts (default ../shared/peers next to the checkout)
 * </pre>
 */
public final class BenchRunner {

    /** How a group's peers run: on the selected benchmark classes (a regex) and a thread count. */
    private interface PeerCall {
        void run(Peers peers, String selected, int threads);
    }

    /** Benchmarks measured together, how to run their peers on a thread count, and whether they use one thread only. */
    private record Group(String name, List<String> benchmarks, PeerCall peers, boolean oneThread) {
        Group(String name, List<String> benchmarks, PeerCall peers) {
            this(name, benchmarks, peers, false);
        }
    }

    /** The name that selects {@link PairedKernels} (not a JMH class: it runs in this JVM, in turns with the peers). */
    private static final String IN_TURNS = "PairedKernels";
    /** The name that selects {@link PairedKernels#runStepProducts}, the 124M training step's products in turns. */
    private static final String STEP_PRODUCTS = "PairedStepProducts";

    private BenchRunner() {}

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("cpo4j.root", ".")).toAbsolutePath().normalize();
        String only = "";
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
        String extraCases = "AttentionBenchmark|LayerNormBenchmark|GeluBenchmark|RmsNormBenchmark|SwiGluBenchmark|CrossEntropyBenchmark|AdamWBenchmark";
        PeerCall none = (p, selected, t) -> {};
        List<Group> groups = List.of(
                new Group("matmul", List.of("MatmulBenchmark"), (p, selected, t) -> p.matmul(t)),
                new Group("softmax", List.of("SoftmaxBenchmark"), (p, selected, t) -> p.softmax(t)),
                new Group("matmul and softmax in turns with the peers", List.of(IN_TURNS), none),
                new Group("the 124M training step's matmuls in turns with OpenBLAS", List.of(STEP_PRODUCTS), none),
                new Group("other kernels", List.of(extraCases.split("\\|")), Peers::torchKernels),
                new Group("training step", List.of("TrainStepBenchmark"), (p, selected, t) -> p.trainStep(t)),
                new Group("training step in turns with torch", List.of("TrainStepInTurnsBenchmark"), none),
                new Group("llama training step", List.of("LlamaStepBenchmark"), (p, selected, t) -> p.llamaStep(t)),
                new Group("llama training step in turns with torch", List.of("LlamaStepInTurnsBenchmark"), none),
                new Group("decoding", List.of("MemoryBandwidthBenchmark", "DecodeBenchmark", "LlamaDecodeBenchmark", "LlamaDecodeInTurnsBenchmark"),
                        (p, selected, t) -> {
                            p.nativeRead(t);
                            if (selected.contains("LlamaDecodeBenchmark")) p.llamaDecode(t);
                        }),
                new Group("cpo step", List.of("CpoStepBenchmark"), none),
                new Group("lora step", List.of("LoraStepBenchmark"), none),
                new Group("tokenizer", List.of("TokenizerBenchmark"), none, true));
        String onlyFinal = only;
        Pattern filter = Pattern.compile(only);

        // for the forks: where the in-turns benchmarks find their peers ("none" when peers are off)
        System.setProperty(TrainStepInTurnsBenchmark.ROOT, root.toString());
        System.setProperty(TrainStepInTurnsBenchmark.PEERS, peers ? peersDir.toString() : "none");
        List<String> blas = peers ? checkPeerBlas(root) : List.of();
        Machine machine = Machine.describe();
        Path work = Files.createTempDirectory("cpo4j-bench");
        Map<Integer, Double> peak = FmaPeak.measure(peersDir, threads, work);
        Peers peerRuns = Peers.detect(peersDir, root.resolve("bench/peers/torch_kernels.py"), machine, quick, work, peers);
        List<JmhRun.Timing> timings = new ArrayList<>();
        List<PairedKernels.Row> inTurns = new ArrayList<>();
        List<String> turnNotes = new ArrayList<>();
        PairedKernels paired = new PairedKernels(root.resolve("bench/peers/paired_peer.py"), Peers.bestCore(machine), quick, turnNotes);
        List<String> loads = new ArrayList<>();
        for (Group g : groups) {
            List<String> selected = g.benchmarks().stream().filter(b -> onlyFinal.isEmpty() || filter.matcher(b).find()).toList();
            if (selected.isEmpty()) continue;
            for (int t : g.oneThread() ? List.of(1) : threads) {
                String loadBefore = Machine.loadAverage();
                if (selected.contains(IN_TURNS) || selected.contains(STEP_PRODUCTS)) {
                    if (peers) inTurns.addAll(selected.contains(IN_TURNS) ? paired.run(t, true, true) : paired.runStepProducts(t));
                    loads.add(g.name() + ", " + t + " thread" + (t == 1 ? "" : "s") + ": " + loadBefore + " → " + Machine.loadAverage());
                    continue;
                }
                g.peers().run(peerRuns, String.join("|", selected), t);
                // a Llama row's peer runs before cpo4j has its benchmark class: JMH then has nothing of the group to run
                List<String> present = selected.stream().filter(BenchRunner::isBenchmarkClass).toList();
                String include = String.join("|", present.stream().map(b -> "\\." + b + "\\.").toList());
                if (!present.isEmpty()) timings.addAll(JmhRun.run(include, List.of(t), quick));
                loads.add(g.name() + ", " + t + " thread" + (t == 1 ? "" : "s") + ": " + loadBefore + " → " + Machine.loadAverage());
            }
        }

        String command = System.getProperty("cpo4j.bench.command", "bench/run.sh " + String.join(" ", args)).trim();
        String noise = quick ? "--quick run: short iterations, figures are indicative only" : null;
        String md = Report.write(new Report.Context(LocalDate.now().toString(), command, machine, loads, peak,
                peerRuns.outcome(), blas, noise, Notes.read(), inTurns, turnNotes), timings);
        Files.createDirectories(out);
        Path file = freeName(out, LocalDate.now().toString());
        Files.writeString(file, md);
        System.out.println();
        System.out.println(md);
        System.out.println("wrote " + file);
    }

    /**
     * Which BLAS numpy and torch run, one line each for the results header; stops the run (exit 3)
     * when one of them runs the reference BLAS or none that can be named, since every ratio against
     * that peer would be meaningless. Empty when the system python is missing (peer columns are n/a).
     */
    private static List<String> checkPeerBlas(Path root) {
        List<PeerBlas.Verdict> verdicts = PeerBlas.check(PairedKernels.PYTHON, root.resolve("bench/peers/blas_probe.py"));
        if (verdicts == null) return List.of();
        if (verdicts.stream().anyMatch(v -> v.status() == PeerBlas.Status.STOP)) {
            System.err.println(PeerBlas.stopMessage(verdicts));
            System.exit(3);
        }
        List<String> lines = verdicts.stream().map(v -> v.status() == PeerBlas.Status.ABSENT ? v.library() + ": not installed" : v.description()).toList();
        for (String l : lines) System.out.println("# peer BLAS: " + l);
        return lines;
    }

    private static boolean isBenchmarkClass(String name) {
        try {
            Class.forName(BenchRunner.class.getPackageName() + "." + name, false, BenchRunner.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
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
