package io.cpo4j.bench;

import io.cpo4j.engine.kernels.Parallel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The training step of {@link TrainStepBenchmark}, measured in turns with PyTorch's step: every
 * call runs one cpo4j step and one step of each torch peer ({@code bench/peers/paired_train_peer.py},
 * which runs {@code ../shared/peers/torch_gpt_step.py}'s step on OpenBLAS's best kernel set for the
 * machine, or as OpenBLAS configures itself when none is known), in an order that rotates from call
 * to call, so that both sides meet the same moments of a shared machine. Each step starts after a
 * pause ({@link PeerProcess#settle}) that lets the last one's spinning BLAS threads go to sleep.
 * Milliseconds per step go to the notes ({@code train.turns.<config>.<threads>.<who>}, in call
 * order); the report takes the ratio within each call.
 */
@OutputTimeUnit(TimeUnit.MILLISECONDS)
// Six warm-up calls of the 124M step (and 6 s of the tiny one): C2 is still compiling through the first few
// steps, which on 2 threads share the cores with it. One run, 2 threads, ms per step from the first:
// 15830, 6146, 5835, 5590, 4961, 5698, 5177, 4836, 4896, 4927. A training run lives in the steady state.
@Warmup(iterations = 6, time = 1)
// 5 s iterations: about 40 calls of the tiny step, whose single calls vary a lot; the 124M step takes one call per iteration whatever the time.
@Measurement(iterations = 8, time = 5)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-Xms8g", "-Xmx8g"})
public class TrainStepInTurnsBenchmark extends BenchmarkDefaults {

    /** System property naming the folder of the shared peers (set by the runner for its forks). */
    static final String PEERS = "cpo4j.peers";
    /** System property naming the checkout (set by the runner for its forks). */
    static final String ROOT = "cpo4j.root";

    @Param({"tiny", "small"})
    public String config;

    @Param({"1", "2"})
    public int threads;

    private StepTurns turns;

    @Setup
    public void setup() {
        Parallel.setThreads(threads);
        turns = new StepTurns(TrainStepBenchmark.trainer(config));
        Path root = Path.of(System.getProperty(ROOT, "."));
        Path stepScript = Path.of(System.getProperty(PEERS, root.resolve("../shared/peers").toString())).resolve("torch_gpt_step.py");
        Path server = root.resolve("bench/peers/paired_train_peer.py");
        if (!Files.isRegularFile(stepScript) || !Files.isRegularFile(server) || !Files.isExecutable(Path.of(PairedKernels.PYTHON))) return;
        List<String> command = List.of(PairedKernels.PYTHON, server.toString(), stepScript.toString(), config, Integer.toString(threads));
        turns.startPeer(command, threads);
    }

    @Setup(Level.Iteration)
    public void nextIteration(IterationParams params) {
        turns.measuring(params.getType() == IterationType.MEASUREMENT);
    }

    /** One step of cpo4j and of each peer, starting from a different one each call. */
    @Benchmark
    public void step() {
        turns.call();
    }

    @TearDown
    public void record() {
        turns.close("train.turns." + config + "." + threads + ".", "train.turns.note." + config + "." + threads + ".");
    }
}
