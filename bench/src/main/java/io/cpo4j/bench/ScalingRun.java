package io.cpo4j.bench;

import io.cpo4j.engine.kernels.Gemm;
import io.cpo4j.engine.kernels.GemmWork;
import io.cpo4j.engine.kernels.Parallel;
import io.cpo4j.model.train.Trainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Supplier;

/**
 * How cpo4j's parallel kernels scale with the thread count: each kernel and the training step
 * run at 1 and 2 threads in turns (the order rotating each round, so that a slow spell of the
 * machine falls on both), with the parallel efficiency {@code T(1) / (p · T(p))} taken within each
 * round; then a simulation of more cores: the same products and the tiny training step on 4, 8
 * and 16 threads of this machine's cores, reporting what grows with the thread count —
 * synchronisations (forks, and waits of one worker for another), each worker's tasks and packing — and not the speed,
 * which more threads than cores cannot show.
 *
 * <pre>bench/run.sh scaling [--rounds 9] [--steps 3] [--no-step] [--out FILE]</pre>
 */
public final class ScalingRun {

    /** (batch, m, k, n): the matmul shapes; (12, 256, 64, 256) is attention's per-head product. */
    static final int[][] MATMULS = {{1, 512, 512, 512}, {1, 1024, 1024, 1024}, {1, 2048, 2048, 2048},
            {1, 512, 768, 3072}, {12, 256, 64, 256}};
    static final int[] SIMULATED_THREADS = {1, 2, 4, 8, 16};
    static final double SLICE_SECONDS = 0.3;

    /** One timed unit of work and its size (flops or elements), at the thread count already set. */
    interface Work {
        void run();
    }

    record Kernel(String name, String unit, double size, Work work) {}

    public static void main(String[] args) throws IOException {
        int rounds = 9, steps = 3;
        boolean step = true;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--no-step" -> step = false;
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("scaling: unknown argument '" + args[i] + "' (try --rounds N, --steps N, --no-step, --out FILE)");
            }
        }
        int threadsBefore = Parallel.threads();
        StringBuilder report = new StringBuilder();
        Machine machine = Machine.describe();
        report.append("# cpo4j parallel scaling\n\n")
                .append("- command: `").append(System.getProperty("cpo4j.bench.command", "bench/run.sh scaling")).append("`\n")
                .append("- JDK: ").append(machine.jdk()).append("\n")
                .append("- CPU: ").append(machine.cpu()).append(", ").append(machine.cores()).append(" cores visible, ")
                .append(machine.vectorBits()).append("-bit vectors\n")
                .append("- load average before: ").append(Machine.loadAverage()).append("\n\n");
        report.append(inTurns(kernels(), rounds));
        if (step) report.append(trainingStep(steps));
        report.append(simulation());
        report.append("\nload average after: ").append(Machine.loadAverage()).append("\n");
        Parallel.setThreads(threadsBefore);
        if (out == null) {
            System.out.print(report);
        } else {
            Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
            Files.writeString(tmp, report);
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            System.err.println("scaling: wrote " + out);
        }
        System.exit(0);
    }

    /**
     * The kernels, each set up only when its turn comes: a kernel is timed with its own state
     * live and no other's. With every kernel's state allocated first (about 1 GB: the AdamW and
     * cross-entropy states), G1 grows the heap and the attention's per-call arrays (3 MB and
     * more, humongous in G1) land in memory not touched before; its rate then fell from 50-56 to
     * 23-38 GFLOPS on 1 thread, a cost of the heap around it rather than of the kernel.
     */
    static List<Supplier<Kernel>> kernels() {
        List<Supplier<Kernel>> list = new ArrayList<>();
        for (int[] s : MATMULS) list.add(() -> matmul(s[0], s[1], s[2], s[3]));
        list.add(() -> {
            AttentionBenchmark attention = new AttentionBenchmark();
            attention.shape = "4x256x768x12";
            attention.threads = Parallel.threads();
            attention.setup();
            return new Kernel("attention forward + backward 4x256x768x12", "GFLOPS",
                    AttentionBenchmark.forwardBackwardFlops(attention.shape), attention::forwardBackward);
        });
        list.add(() -> {
            LayerNormBenchmark layerNorm = new LayerNormBenchmark();
            layerNorm.shape = "1024x768";
            layerNorm.threads = Parallel.threads();
            layerNorm.setup();
            return new Kernel("layernorm backward 1024x768", "Gelem/s", LayerNormBenchmark.elements(layerNorm.shape), layerNorm::backwardAdding);
        });
        list.add(() -> {
            CrossEntropyBenchmark crossEntropy = new CrossEntropyBenchmark();
            crossEntropy.shape = "1024x50257";
            crossEntropy.threads = Parallel.threads();
            crossEntropy.setup();
            return new Kernel("cross-entropy forward + backward 1024x50257", "Gelem/s",
                    CrossEntropyBenchmark.elements(crossEntropy.shape), crossEntropy::forwardBackward);
        });
        list.add(() -> {
            AdamWBenchmark adamW = new AdamWBenchmark();
            adamW.shape = "16777216";
            adamW.threads = Parallel.threads();
            adamW.setup();
            return new Kernel("AdamW 16777216", "Gelem/s", AdamWBenchmark.elements(adamW.shape), adamW::step);
        });
        return list;
    }

    static Kernel matmul(int batch, int m, int k, int n) {
        Random r = new Random(1);
        float[] a = new float[batch * m * k], b = new float[batch * k * n], c = new float[batch * m * n];
        for (int i = 0; i < a.length; i++) a[i] = r.nextFloat() - 0.5f;
        for (int i = 0; i < b.length; i++) b[i] = r.nextFloat() - 0.5f;
        String name = batch == 1 ? String.format(Locale.ROOT, "matmul (%dx%d)·(%dx%d)", m, k, k, n)
                : String.format(Locale.ROOT, "matmul %d×(%dx%d)·(%dx%d)", batch, m, k, k, n);
        return new Kernel(name, "GFLOPS", 2.0 * batch * m * n * k,
                () -> Gemm.gemmBatched(batch, false, false, m, n, k, a, 0, k, m * k, b, 0, n, k * n, c, 0, n, m * n, false));
    }

    /** Each kernel at 1 and 2 threads, 0.3 s slices in turns; medians over rounds. */
    static String inTurns(List<Supplier<Kernel>> kernels, int rounds) {
        StringBuilder s = new StringBuilder();
        s.append("## Kernels at 1 and 2 threads, in turns (higher is better)\n\n")
                .append("Each round runs every kernel for ").append(SLICE_SECONDS).append(" s at each thread count (after one untimed call on the new threads), the order of the ")
                .append("thread counts alternating from round to round; speed-up and efficiency `T(1) / (2 · T(2))` are taken within ")
                .append("each round, and the table gives medians over ").append(rounds).append(" rounds (after one warm-up round). ")
                .append("Each kernel's state is made just before its rounds, with no other kernel's state live.\n\n")
                .append("| kernel | unit | 1 thread | 2 threads | speed-up | parallel efficiency |\n|---|---|---|---|---|---|\n");
        for (Supplier<Kernel> setUp : kernels) {
            System.gc();                                    // the previous kernel's state is gone before this one's is made
            Kernel kernel = setUp.get();
            double[][] rate = new double[2][rounds];
            for (int round = -1; round < rounds; round++) {
                for (int turn = 0; turn < 2; turn++) {
                    int threads = (turn + Math.max(0, round)) % 2 + 1;
                    Parallel.setThreads(threads);
                    double r = rate(kernel);
                    if (round >= 0) rate[threads - 1][round] = r;
                }
            }
            double[] speedUp = new double[rounds];
            for (int i = 0; i < rounds; i++) speedUp[i] = rate[1][i] / rate[0][i];
            s.append(String.format(Locale.ROOT, "| %s | %s | %.1f | %.1f | %.2f× | %.2f |%n", kernel.name(), kernel.unit(),
                    median(rate[0]), median(rate[1]), median(speedUp), median(speedUp) / 2));
            System.err.printf(Locale.ROOT, "scaling: %s: %.1f / %.1f %s, efficiency %.2f%n", kernel.name(), median(rate[0]), median(rate[1]),
                    kernel.unit(), median(speedUp) / 2);
        }
        return s.append('\n').toString();
    }

    /**
     * Work per second, in units of 1e9, over one slice, after one untimed call: a slice follows a
     * change of thread count, which starts new helper threads whose scratch buffers are not yet
     * touched.
     */
    static double rate(Kernel kernel) {
        kernel.work().run();
        long start = System.nanoTime(), end = start + (long) (SLICE_SECONDS * 1e9);
        int calls = 0;
        long now;
        do {
            kernel.work().run();
            calls++;
            now = System.nanoTime();
        } while (now < end);
        return kernel.size() * calls / ((now - start) * 1e-9) / 1e9;
    }

    /** GPT-2 124M (batch 4 × 256) and tiny training steps at 1 and 2 threads, in turns; synchronisations per step. */
    static String trainingStep(int steps) {
        StringBuilder s = new StringBuilder();
        s.append("## Training step at 1 and 2 threads, in turns (ms per step, lower is better)\n\n")
                .append("`small`: GPT-2 124M, batch 4 × 256; `tiny`: vocab 512, 4 layers, width 128, batch 16 × 128 (the trainers of ")
                .append("`TrainStepBenchmark`: forward, backward, clipping, AdamW). One trainer per thread count, ")
                .append("each warmed by 2 steps, then ").append(steps).append(" rounds of one step at each thread count, alternating; ")
                .append("efficiency within each round, medians. Forks and waits (a worker waiting for work another hands on) are counted over the measured steps.\n\n")
                .append("| config | 1 thread, ms | 2 threads, ms | speed-up | parallel efficiency | forks per step (1 / 2 threads) | waits per step (2 threads) |\n")
                .append("|---|---|---|---|---|---|---|\n");
        for (String config : new String[] {"tiny", "small"}) {
            int measured = config.equals("tiny") ? steps * 10 : steps;
            Trainer[] trainers = new Trainer[2];
            for (int t = 1; t <= 2; t++) {
                Parallel.setThreads(t);
                trainers[t - 1] = TrainStepBenchmark.trainer(config);
                for (int w = 0; w < 2; w++) trainers[t - 1].step();
            }
            double[][] ms = new double[2][measured];
            long[] forks = new long[2], waits = new long[2];
            for (int round = 0; round < measured; round++) {
                for (int turn = 0; turn < 2; turn++) {
                    int threads = (turn + round) % 2 + 1;
                    Parallel.setThreads(threads);
                    Parallel.Syncs before = Parallel.syncs();
                    long t0 = System.nanoTime();
                    trainers[threads - 1].step();
                    ms[threads - 1][round] = (System.nanoTime() - t0) / 1e6;
                    Parallel.Syncs used = Parallel.syncs().minus(before);
                    forks[threads - 1] += used.forks();
                    waits[threads - 1] += used.waits();
                }
            }
            double[] speedUp = new double[measured];
            for (int i = 0; i < measured; i++) speedUp[i] = ms[0][i] / ms[1][i];
            s.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.2f× | %.2f | %d / %d | %d |%n", config, median(ms[0]), median(ms[1]),
                    median(speedUp), median(speedUp) / 2, forks[0] / measured, forks[1] / measured, waits[1] / measured));
            System.err.printf(Locale.ROOT, "scaling: %s step: %.1f / %.1f ms, efficiency %.2f%n", config, median(ms[0]), median(ms[1]), median(speedUp) / 2);
        }
        return s.append('\n').toString();
    }

    /** The matmuls and the tiny training step on 1 to 16 threads: what each worker does and how often all meet. */
    static String simulation() {
        StringBuilder s = new StringBuilder();
        s.append("## Simulated cores: work and synchronisation per thread as the thread count grows\n\n")
                .append("The same products on 1, 2, 4, 8 and 16 threads of this machine: with more threads than cores the time ")
                .append("shows overheads, not speed, so the table reports what the decomposition does, counted by `GemmWork` ")
                .append("over one call after a warm-up call. Forks: parallel regions (one fork and one join each). Waits: times a worker found the work it needed from another (B panels another worker was packing, the tasks still reading the buffer it was to pack into, or the same block one depth back) not yet done. ")
                .append("B packed: the largest share of op(B) one worker packed, as a fraction of op(B) (B panels are packed by the first task to need them, so with columns shared each worker packs its own columns, and with rows shared whoever comes first). ")
                .append("A packed: op(A) floats packed by all workers over op(A)'s size (1.0 means each element once; ")
                .append("each further column slab of op(B), or column part or chunk of a slab cut for sharing, packs it again: with columns shared, every worker packs all of op(A)). Tasks: fewest–most tasks one worker ran.\n\n")
                .append("| product | threads | forks | waits | tasks per worker | largest B share | A packed / A | ms per call |\n")
                .append("|---|---|---|---|---|---|---|---|\n");
        for (int[] shape : MATMULS) {
            Kernel kernel = matmul(shape[0], shape[1], shape[2], shape[3]);
            double aFloats = (double) shape[0] * shape[1] * shape[2], bFloats = (double) shape[0] * shape[2] * shape[3];
            for (int threads : SIMULATED_THREADS) {
                Parallel.setThreads(threads);
                kernel.work().run();
                Parallel.Syncs before = Parallel.syncs();
                GemmWork work = GemmWork.start(threads);
                long t0 = System.nanoTime();
                kernel.work().run();
                double ms = (System.nanoTime() - t0) / 1e6;
                work.stop();
                Parallel.Syncs used = Parallel.syncs().minus(before);
                long minTasks = Long.MAX_VALUE, maxTasks = 0, maxB = 0, totalA = 0;
                for (int w = 0; w < threads; w++) {
                    minTasks = Math.min(minTasks, work.tasks(w));
                    maxTasks = Math.max(maxTasks, work.tasks(w));
                    maxB = Math.max(maxB, work.packedB(w));
                    totalA += work.packedA(w);
                }
                s.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %d–%d | %.3f | %.2f | %.1f |%n", kernel.name(), threads,
                        used.forks(), used.waits(), minTasks, maxTasks, maxB / bFloats, totalA / aFloats, ms));
            }
        }
        s.append("\nThe tiny training step (batch 16 × 128) on 1 to 16 threads: synchronisations per step, all kernels together.\n\n")
                .append("| threads | forks per step | waits per step | ms per step |\n|---|---|---|---|\n");
        for (int threads : SIMULATED_THREADS) {
            Parallel.setThreads(threads);
            Trainer trainer = TrainStepBenchmark.trainer("tiny");
            trainer.step();
            Parallel.Syncs before = Parallel.syncs();
            long t0 = System.nanoTime();
            int steps = 3;
            for (int i = 0; i < steps; i++) trainer.step();
            double ms = (System.nanoTime() - t0) / 1e6 / steps;
            Parallel.Syncs used = Parallel.syncs().minus(before);
            s.append(String.format(Locale.ROOT, "| %d | %d | %d | %.1f |%n", threads, used.forks() / steps, used.waits() / steps, ms));
        }
        return s.toString();
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private ScalingRun() {}
}
