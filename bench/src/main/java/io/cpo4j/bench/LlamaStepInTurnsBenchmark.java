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
 * The Llama training step of {@link LlamaStepBenchmark}, measured in turns with PyTorch's step, as
 * {@link TrainStepInTurnsBenchmark} does for the GPT step: every call runs one cpo4j step and one
 * step of each torch peer ({@code bench/peers/paired_llama_peer.py}, which runs the step of
 * {@code bench/peers/torch_llama_step.py --mode step --grad-clip 1} on OpenBLAS's best kernel set
 * for the machine, or as OpenBLAS configures itself when none is known), in an order that rotates
 * from call to call, each after {@link PeerProcess#settle}. Milliseconds per step go to the notes
 * ({@code llama.turns.<config>.<threads>.<who>}, in call order); the report takes the ratio within each call.
 */
@OutputTimeUnit(TimeUnit.MILLISECONDS)
// A step of either side takes 10-17 s, so every 1 s iteration is one call of two steps (about half a minute):
// 2 warm-up calls (the first cpo4j step runs while C2 compiles it) and 6 measured calls keep a thread count
// under 5 minutes, and the ratio taken within each call does not need more calls to be fair.
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 6, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-Xms8g", "-Xmx8g"})
public class LlamaStepInTurnsBenchmark extends BenchmarkDefaults {

    @Param({"smollm2-135m"})
    public String config;

    @Param({"1", "2"})
    public int threads;

    private StepTurns turns;

    @Setup
    public void setup() {
        Parallel.setThreads(threads);
        turns = new StepTurns(LlamaStepBenchmark.trainer(config));
        if ("none".equals(System.getProperty(TrainStepInTurnsBenchmark.PEERS))) return;   // the runner's --no-peers
        Path peersDir = Path.of(System.getProperty(TrainStepInTurnsBenchmark.ROOT, ".")).resolve("bench/peers");
        Path stepScript = peersDir.resolve("torch_llama_step.py"), server = peersDir.resolve("paired_llama_peer.py");
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
        turns.close(LlamaTurnsTable.NOTES + config + "." + threads + ".", LlamaTurnsTable.NOTES + "note." + config + "." + threads + ".");
    }
}
