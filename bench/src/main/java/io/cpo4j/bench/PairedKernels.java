package io.cpo4j.bench;

import io.cpo4j.engine.Rng;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.kernels.Gemm;
import io.cpo4j.engine.kernels.Parallel;
import io.cpo4j.engine.kernels.SoftmaxKernel;
import io.cpo4j.model.gpt.GptConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Matmul and softmax measured in turns with their peers: cpo4j in this JVM, OpenBLAS (numpy)
 * and torch in {@code bench/peers/paired_peer.py} processes that wait for orders. Each round
 * runs one slice of every contestant, in an order that rotates from round to round, and a
 * ratio is taken within each round; the report gives the median of those ratios.
 *
 * <p>Why: on the shared machines this was built on, the speed of a core changed by up to 2×
 * within seconds (one C FMA kernel, timed in 0.2 s slices, ran at 80 and at 150 GFLOPS; numpy
 * and cpo4j run back to back in fresh processes swapped places from one pair to the next), so
 * figures taken minutes apart compare moments as much as libraries. Turns of a fraction of a
 * second put both sides in the same moments. Each turn starts after a pause
 * ({@link PeerProcess#settle}), so that no contestant's idle-spinning threads overlap the next one's turn.
 */
final class PairedKernels {

    /** One case: cpo4j's median rate, each peer's median rate, and the median of the per-round ratios. */
    record Row(String kind, String shape, int threads, int rounds, double slice, double java, Map<String, Double> peers, double ratio, String against) {}

    static final List<String> MATMUL_SHAPES = List.of("1x256x256x256", "1x512x512x512", "1x1024x1024x1024",
            "1x2048x2048x2048", "1x512x768x3072", "12x256x64x256");
    static final List<String> SOFTMAX_SHAPES = List.of("4096x1024", "3072x256");

    /** A product op(A)[m,k]·op(B)[k,n] of the training step, with the transposes Linear passes to {@link Gemm}. */
    record StepProduct(String name, boolean transA, boolean transB, int m, int k, int n) {
        String shape() {
            return name + ", " + (transA ? "T" : "N") + (transB ? "T" : "N") + " " + m + "x" + k + "x" + n;
        }
    }

    /**
     * The products of the GPT-2 124M training step as {@link TrainStepBenchmark} runs it (batch 4 ×
     * block 256: 1024 tokens), as Linear runs them — forward X·Wᵀ, input gradient dY·W, weight
     * gradient dYᵀ·X — for the layers that carry most of its flops: the attention's qkv projection,
     * the MLP's two layers and the tied LM head.
     */
    static List<StepProduct> stepProducts() {
        GptConfig c = TrainStepBenchmark.model("small");
        int[] bt = TrainStepBenchmark.batchAndBlock("small");
        int tokens = bt[0] * bt[1], w = c.width(), v = c.vocabSize();
        return List.of(
                new StepProduct("qkv forward", false, true, tokens, w, 3 * w),
                new StepProduct("mlp up forward", false, true, tokens, w, 4 * w),
                new StepProduct("mlp down forward", false, true, tokens, 4 * w, w),
                new StepProduct("lm head forward", false, true, tokens, w, v),
                new StepProduct("mlp up input grad", false, false, tokens, 4 * w, w),
                new StepProduct("lm head input grad", false, false, tokens, v, w),
                new StepProduct("mlp up weight grad", true, false, 4 * w, tokens, w),
                new StepProduct("mlp down weight grad", true, false, w, tokens, 4 * w),
                new StepProduct("lm head weight grad", true, false, v, tokens, w));
    }

    static final String PYTHON = "/usr/bin/python3";

    private final Path script;
    private final String bestCore;
    private final int rounds;
    private final double slice, warmUp;
    private final List<String> notes;

    PairedKernels(Path script, String bestCore, boolean quick, List<String> notes) {
        this.script = script;
        this.bestCore = bestCore;
        this.rounds = quick ? 3 : 15;
        this.slice = quick ? 0.05 : 0.3;
        this.warmUp = quick ? 0.3 : 2.0;
        this.notes = notes;
    }

    private PeerProcess start(int threads, String coreType) {
        return PeerProcess.start(List.of(PYTHON, script.toString(), Integer.toString(threads)), threads, coreType, notes);
    }

    /** Every case on {@code threads}; peers that cannot start leave their columns out. */
    List<Row> run(int threads, boolean matmul, boolean softmax) {
        Parallel.setThreads(threads);
        List<Row> rows = new ArrayList<>();
        try (PeerProcess auto = start(threads, null); PeerProcess forced = bestCore == null ? null : start(threads, bestCore)) {
            if (matmul) {
                Map<String, PeerProcess> peers = new LinkedHashMap<>();
                if (auto != null) peers.put("OpenBLAS (" + auto.openblas() + ")", auto);
                if (forced != null && !forced.openblas().equalsIgnoreCase(auto == null ? "" : auto.openblas())) {
                    peers.put("OpenBLAS (" + forced.openblas() + ")", forced);
                }
                for (String shape : MATMUL_SHAPES) {
                    int[] s = Shapes.parse(shape, 4);
                    rows.add(measure("matmul", shape, threads, matmul(s[0], s[1], s[2], s[3]), MatmulBenchmark.flops(shape),
                            peers, "gemm " + s[0] + " " + s[1] + " " + s[2] + " " + s[3], "best OpenBLAS"));
                }
            }
            if (softmax && auto != null && auto.hasTorch()) {
                for (String shape : SOFTMAX_SHAPES) {
                    int[] s = Shapes.parse(shape, 2);
                    rows.add(measure("softmax", shape, threads, softmax(s[0], s[1]), SoftmaxBenchmark.elements(shape),
                            Map.of("torch.softmax", auto), "softmax " + s[0] + " " + s[1], "torch.softmax"));
                }
            }
        }
        return rows;
    }

    /**
     * The training step's products on {@code threads}, in turns with OpenBLAS's best kernel set for the
     * machine only (its generic kernels take seconds per LM-head product here and were never the faster
     * peer), or with OpenBLAS as it configures itself when no better set is known.
     */
    List<Row> runStepProducts(int threads) {
        Parallel.setThreads(threads);
        List<Row> rows = new ArrayList<>();
        try (PeerProcess peer = start(threads, bestCore)) {
            if (peer == null) return rows;
            Map<String, PeerProcess> peers = Map.of("OpenBLAS (" + peer.openblas() + ")", peer);
            for (StepProduct p : stepProducts()) {
                String order = "gemm 1 " + p.m() + " " + p.k() + " " + p.n();
                rows.add(measure(STEP_KIND, p.shape(), threads, product(p), 2.0 * p.m() * p.k() * p.n(), peers,
                        order, (p.transA() ? 1 : 0) + " " + (p.transB() ? 1 : 0), "OpenBLAS"));
            }
        }
        return rows;
    }

    /** The kind of the rows of {@link #runStepProducts}: they have no target of their own. */
    static final String STEP_KIND = "matmul in the 124M step";

    private Row measure(String kind, String shape, int threads, Runnable java, double work,
                        Map<String, PeerProcess> peers, String order, String against) {
        return measure(kind, shape, threads, java, work, peers, order, "", against);
    }

    private Row measure(String kind, String shape, int threads, Runnable java, double work,
                        Map<String, PeerProcess> peers, String order, String flags, String against) {
        System.out.printf(Locale.ROOT, "# in turns: %s %s, %d thread%s%n", kind, shape, threads, threads == 1 ? "" : "s");
        List<String> names = new ArrayList<>(peers.keySet());
        rate(java, work, warmUp);
        String tail = flags.isEmpty() ? "" : " " + flags;
        for (String name : names) peers.get(name).ask(order + " " + warmUp / 2 + tail);
        double[] javaRates = new double[rounds], ratios = new double[rounds];
        double[][] peerRates = new double[names.size()][rounds];
        for (int r = 0; r < rounds; r++) {
            int contestants = names.size() + 1;
            for (int i = 0; i < contestants; i++) {
                int who = (i + r) % contestants;
                PeerProcess.settle();
                if (who == 0) javaRates[r] = rate(java, work, slice);
                else peerRates[who - 1][r] = peers.get(names.get(who - 1)).ask(order + " " + slice + tail);
            }
            double best = 0;
            for (double[] p : peerRates) if (p[r] > best) best = p[r];
            ratios[r] = best > 0 ? javaRates[r] / best : Double.NaN;
        }
        Map<String, Double> medians = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) medians.put(names.get(i), ModelTables.median(peerRates[i]));
        Row row = new Row(kind, shape, threads, rounds, slice, ModelTables.median(javaRates), medians, names.isEmpty() ? Double.NaN : ModelTables.median(ratios), against);
        System.out.printf(Locale.ROOT, "  cpo4j %.3f, peers %s, ratio %.3f%n", row.java(), medians, row.ratio());
        return row;
    }

    /** Runs {@code op} until {@code seconds} have passed; work per second / 1e9. */
    private static double rate(Runnable op, double work, double seconds) {
        long start = System.nanoTime(), end = start + (long) (seconds * 1e9);
        int calls = 0;
        long now;
        do {
            op.run();
            calls++;
            now = System.nanoTime();
        } while (now < end);
        return work * calls / ((now - start) / 1e9) / 1e9;
    }


    /** What {@link MatmulBenchmark#matmul} does, on the same operands. */
    private static Runnable matmul(int batch, int m, int k, int n) {
        Rng rng = new Rng(1);
        float[] a = Tensor.randn(rng, 1f, batch * m * k).data(), b = Tensor.randn(rng, 1f, batch * k * n).data(), c = new float[batch * m * n];
        return () -> Gemm.gemmBatched(batch, false, false, m, n, k, a, 0, k, m * k, b, 0, n, k * n, c, 0, n, m * n, false);
    }

    /** One of the step's products on random operands, row-major, with its transposes. */
    private static Runnable product(StepProduct p) {
        Rng rng = new Rng(1);
        int m = p.m(), k = p.k(), n = p.n();
        float[] a = Tensor.randn(rng, 1f, m * k).data(), b = Tensor.randn(rng, 1f, k * n).data(), c = new float[m * n];
        int lda = p.transA() ? m : k, ldb = p.transB() ? k : n;
        return () -> Gemm.gemm(p.transA(), p.transB(), m, n, k, a, 0, lda, b, 0, ldb, c, 0, n, false);
    }

    /** What {@link SoftmaxBenchmark#softmax} does, on the same input. */
    private static Runnable softmax(int rows, int cols) {
        float[] x = Tensor.randn(new Rng(2), 1f, rows * cols).data(), y = new float[rows * cols];
        return () -> SoftmaxKernel.forward(x, 0, y, 0, rows, cols);
    }

    /** The markdown section for the report. */
    static void table(StringBuilder md, List<Row> rows) {
        if (rows.isEmpty()) return;
        md.append("\n## Matmul and softmax measured in turns with the peers (higher is better)\n\n")
          .append("cpo4j (this JVM) and each peer (`bench/peers/paired_peer.py`, a python process per thread count and OpenBLAS kernel set)\n")
          .append("take turns of ").append(String.format(Locale.ROOT, "%.2f", rows.get(0).slice()))
          .append(" s, each after a pause of ").append(PeerProcess.SETTLE_MILLIS).append(" ms (so that the idle-spinning threads of the last contestant's BLAS are asleep),\n")
          .append("in an order that rotates each round; the ratio is taken within each round against the best peer of that round,\n")
          .append("and the table gives medians over the rounds. GFLOPS for matmul, Gelem/s for softmax.\n\n");
        md.append("| kernel | shape | threads | rounds | cpo4j | peers (median) | cpo4j / peer, median of rounds | target |\n")
          .append("|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            boolean mm = r.kind().startsWith("matmul");
            String fmt = mm ? "%.1f" : "%.3f";
            StringBuilder peers = new StringBuilder();
            r.peers().forEach((name, v) -> peers.append(peers.isEmpty() ? "" : "; ").append(name).append(' ').append(String.format(Locale.ROOT, fmt, v)));
            double target = mm ? Report.MATMUL_TARGET : Report.SOFTMAX_TARGET;
            boolean stepProduct = r.kind().equals(STEP_KIND);
            md.append("| ").append(r.kind()).append(" | ").append(r.shape()).append(" | ").append(r.threads()).append(" | ").append(r.rounds())
              .append(" | ").append(String.format(Locale.ROOT, fmt, r.java())).append(" | ").append(peers.isEmpty() ? "n/a" : peers)
              .append(" | ").append(Double.isNaN(r.ratio()) ? "n/a" : String.format(Locale.ROOT, "%.2f× %s", r.ratio(), r.against()))
              .append(" | ").append(stepProduct ? "none: behind the step's target" : Double.isNaN(r.ratio()) ? "n/a" : Report.verdict(r.ratio(), target)).append(" |\n");
        }
    }
}
