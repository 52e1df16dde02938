package io.cpo4j.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The results file: what was measured on what, then one table per benchmark with the peer
 * figures of the same run and the ratio cpo4j / peer (medians over samples) per row.
 */
final class Report {

    /** Matmul must reach this fraction of the best OpenBLAS kernel set; softmax this multiple of torch.softmax. */
    static final double MATMUL_TARGET = 0.9, SOFTMAX_TARGET = 2.0;

    private Report() {}

    record Context(String date, String command, Machine machine, List<String> loads,
                   Map<Integer, Double> fmaPeak, Peers.Outcome peers, List<String> peerBlas, String noise, Map<String, String> notes,
                   List<PairedKernels.Row> inTurns, List<String> inTurnsNotes) {}

    static String write(Context ctx, List<JmhRun.Timing> timings) {
        StringBuilder md = new StringBuilder();
        Machine m = ctx.machine();
        Peers.Outcome p = ctx.peers();
        md.append("# cpo4j benchmarks, ").append(ctx.date()).append("\n\n");
        md.append("- command: `").append(ctx.command()).append("`\n");
        md.append("- JDK: ").append(m.jdk()).append('\n');
        md.append("- CPU: ").append(m.cpu()).append(", ").append(m.cores()).append(" cores visible, ").append(m.isa()).append('\n');
        md.append("- vector width: ").append(m.vectorBits()).append(" bits, ").append(m.floatLanes()).append(" floats per vector\n");
        if (!ctx.fmaPeak().isEmpty()) {
            md.append("- FP32 FMA peak (`../shared/peers/fma_peak.c`, 512-bit FMAs):");
            ctx.fmaPeak().forEach((t, g) -> md.append(String.format(Locale.ROOT, " %d thread%s %.0f GFLOPS;", t, t == 1 ? "" : "s", g)));
            md.setLength(md.length() - 1);
            md.append('\n');
        }
        md.append("- load average (1, 5, 15 min) before → after each group (peers, then JMH):\n");
        for (String l : ctx.loads()) md.append("  - ").append(l).append('\n');
        md.append("- peers: ").append(p.versions());
        if (!"n/a".equals(p.autoCore())) {
            md.append("; OpenBLAS picked the `").append(p.autoCore()).append("` kernels by itself");
            if (p.forcedCore() != null) md.append(", and matmul also ran with `OPENBLAS_CORETYPE=").append(p.forcedCore()).append('`');
        }
        md.append('\n');
        if (!ctx.peerBlas().isEmpty()) {
            md.append("- peer BLAS, checked before measuring (`bench/peers/blas_probe.py`: threadpoolctl, and the file that defines the sgemm each peer calls):\n");
            for (String b : ctx.peerBlas()) md.append("  - ").append(b).append('\n');
        }
        for (String note : p.notes()) md.append("- note: ").append(note).append('\n');
        for (String note : ctx.inTurnsNotes()) md.append("- note: ").append(note).append('\n');
        if (ctx.noise() != null) md.append("- noise: ").append(ctx.noise()).append('\n');
        md.append("\nFigures are medians over measurement samples (best sample in parentheses); ratios are cpo4j / peer,\n")
          .append("both medians, measured in this one run. cpo4j: JMH, average time per call, 5 warm-up and 5 measured 1 s iterations\n")
          .append("(3 × 2 s and 5 × 2 s for the training step, decoding and CPO step).\n")
          .append("Peers: `../shared/peers/numpy_gemm_softmax.py` (OpenBLAS through numpy; torch) and `bench/peers/torch_kernels.py`\n")
          .append("(torch, nanoGPT-style attention), each thread count in a fresh process, run right before the matching JMH benchmarks.\n");

        PairedKernels.table(md, ctx.inTurns());

        Map<String, List<JmhRun.Timing>> byBenchmark = new LinkedHashMap<>();
        for (String name : Cases.ORDER) byBenchmark.put(name, new ArrayList<>());
        for (JmhRun.Timing t : timings) byBenchmark.computeIfAbsent(t.benchmark(), k -> new ArrayList<>()).add(t);
        byBenchmark.entrySet().removeIf(e -> e.getValue().isEmpty() && !LlamaTables.hasPeer(e.getKey(), p));
        for (List<JmhRun.Timing> rows : byBenchmark.values()) {
            rows.sort(java.util.Comparator.comparing(JmhRun.Timing::shape, Report::byShapeOrder).thenComparingInt(JmhRun.Timing::threads));
        }
        for (var e : byBenchmark.entrySet()) {
            Cases.Case c = Cases.of(e.getKey());
            md.append("\n## ").append(c.title()).append(" (").append(c.unit()).append(c.unit().startsWith("ms") ? ", lower is better)\n\n" : ", higher is better)\n\n");
            switch (e.getKey()) {
                case "MatmulBenchmark.matmul" -> matmulTable(md, c, e.getValue(), p);
                case "SoftmaxBenchmark.softmax" -> softmaxTable(md, c, e.getValue(), p);
                case "TrainStepBenchmark.step" -> ModelTables.trainStep(md, c, e.getValue(), p, ctx.notes());
                case "TrainStepInTurnsBenchmark.step" -> ModelTables.trainStepInTurns(md, e.getValue(), ctx.notes());
                case "MemoryBandwidthBenchmark.copy", "MemoryBandwidthBenchmark.read" -> ModelTables.bandwidth(md, c, e.getValue());
                case "DecodeBenchmark.step" -> ModelTables.decode(md, c, e.getValue(), byBenchmark.getOrDefault("MemoryBandwidthBenchmark.copy", List.of()),
                        byBenchmark.getOrDefault("MemoryBandwidthBenchmark.read", List.of()));
                case LlamaTables.STEP -> LlamaTables.step(md, c, e.getValue(), p);
                case LlamaTurnsTable.BENCHMARK -> LlamaTurnsTable.write(md, e.getValue(), ctx.notes());
                case LlamaTables.DECODE -> LlamaTables.decode(md, c, e.getValue(), p, byBenchmark.getOrDefault("MemoryBandwidthBenchmark.copy", List.of()),
                        byBenchmark.getOrDefault("MemoryBandwidthBenchmark.read", List.of()));
                case LlamaTables.DECODE_IN_TURNS -> LlamaTables.decodeInTurns(md, e.getValue(), ctx.notes());
                case "CpoStepBenchmark.step" -> ModelTables.cpoStep(md, e.getValue(), ctx.notes());
                case LoraTable.BENCHMARK -> LoraTable.write(md, e.getValue(), ctx.notes());
                case "TokenizerBenchmark.encode", "TokenizerBenchmark.encodeShort", "TokenizerBenchmark.preTokenize", "TokenizerBenchmark.decode",
                     "TokenizerBenchmark.encodeLlama3", "TokenizerBenchmark.encodeQwen3", "TokenizerBenchmark.encodeSentencePiece" ->
                        ModelTables.tokenizer(md, e.getValue(), ctx.notes());
                default -> torchTable(md, c, e.getValue(), p);
            }
        }
        return md.toString();
    }

    /** Shapes in the order JMH's @Param lists them is lost in its results; order by total size, then by name. */
    private static int byShapeOrder(String a, String b) {
        int c = Double.compare(size(a), size(b));
        return c != 0 ? c : a.compareTo(b);
    }

    /** The product of a shape's numbers; 0 for a name (a config, a recipe), which then sorts by name. */
    private static double size(String shape) {
        double s = 1;
        for (String part : shape.split("x")) {
            if (!part.matches("\\d+")) return 0;
            s *= Double.parseDouble(part);
        }
        return s;
    }

    private static void matmulTable(StringBuilder md, Cases.Case c, List<JmhRun.Timing> rows, Peers.Outcome p) {
        String auto = "OpenBLAS" + (p.autoCore().equals("n/a") ? "" : " (" + p.autoCore() + ")");
        String forced = p.forcedCore() == null ? null : "OpenBLAS (" + p.forcedCore() + ")";
        md.append("| shape (batch×m×k×n) | threads | cpo4j | ").append(auto).append(" | ratio |");
        if (forced != null) md.append(' ').append(forced).append(" | ratio |");
        md.append(" target ≥ ").append(MATMUL_TARGET).append("× best OpenBLAS |\n");
        md.append("|---|---|---|---|---|").append(forced != null ? "---|---|" : "").append("---|\n");
        for (JmhRun.Timing t : rows) {
            String kase = c.peerCase().apply(t.shape());
            double java = c.rate(t.shape(), t.medianMicros());
            Peers.Figure a = find(p, "numpy", t.threads(), kase);
            Peers.Figure f = forced == null ? null : find(p, "numpy/" + p.forcedCore(), t.threads(), kase);
            md.append("| ").append(t.shape()).append(" | ").append(t.threads()).append(" | ").append(javaCell(c, t)).append(" | ")
              .append(peerCell(a, "%.1f")).append(" | ").append(ratio(java, a)).append(" |");
            if (forced != null) md.append(' ').append(peerCell(f, "%.1f")).append(" | ").append(ratio(java, f)).append(" |");
            double best = Math.max(a == null ? 0 : a.median(), f == null ? 0 : f.median());
            md.append(' ').append(best == 0 ? "n/a" : verdict(java / best, MATMUL_TARGET)).append(" |\n");
        }
    }

    private static void softmaxTable(StringBuilder md, Cases.Case c, List<JmhRun.Timing> rows, Peers.Outcome p) {
        md.append("| shape (rows×cols) | threads | cpo4j | torch.softmax | ratio | numpy | ratio | target ≥ ")
          .append(SOFTMAX_TARGET).append("× torch |\n|---|---|---|---|---|---|---|---|\n");
        for (JmhRun.Timing t : rows) {
            String kase = c.peerCase().apply(t.shape());
            double java = c.rate(t.shape(), t.medianMicros());
            Peers.Figure torch = find(p, "torch", t.threads(), kase), numpy = find(p, "numpy", t.threads(), kase);
            md.append("| ").append(t.shape()).append(" | ").append(t.threads()).append(" | ").append(javaCell(c, t)).append(" | ")
              .append(peerCell(torch, "%.3f")).append(" | ").append(ratio(java, torch)).append(" | ")
              .append(peerCell(numpy, "%.3f")).append(" | ").append(ratio(java, numpy)).append(" | ")
              .append(torch == null ? "n/a" : verdict(java / torch.median(), SOFTMAX_TARGET)).append(" |\n");
        }
    }

    private static void torchTable(StringBuilder md, Cases.Case c, List<JmhRun.Timing> rows, Peers.Outcome p) {
        String fmt = c.unit().equals("GFLOPS") ? "%.1f" : "%.3f";
        md.append("| shape | threads | cpo4j | ms per call | torch | ratio |\n|---|---|---|---|---|---|\n");
        for (JmhRun.Timing t : rows) {
            Peers.Figure torch = find(p, "torch", t.threads(), c.peerCase().apply(t.shape()));
            md.append("| ").append(t.shape()).append(" | ").append(t.threads()).append(" | ").append(javaCell(c, t))
              .append(" | ").append(String.format(Locale.ROOT, "%.3f", t.medianMicros() / 1e3)).append(" | ")
              .append(peerCell(torch, fmt)).append(" | ").append(ratio(c.rate(t.shape(), t.medianMicros()), torch)).append(" |\n");
        }
    }

    static String javaCell(Cases.Case c, JmhRun.Timing t) {
        String fmt = c.unit().equals("GFLOPS") ? "%.1f (%.1f)" : "%.3f (%.3f)";
        return String.format(Locale.ROOT, fmt, c.rate(t.shape(), t.medianMicros()), c.rate(t.shape(), t.bestMicros()));
    }

    static Peers.Figure find(Peers.Outcome p, String who, int threads, String kase) {
        for (Peers.Figure f : p.figures()) {
            if (f.who().equals(who) && f.threads() == threads && f.kase().equals(kase)) return f;
        }
        return null;
    }

    static String peerCell(Peers.Figure f, String fmt) {
        return f == null ? "n/a" : String.format(Locale.ROOT, fmt + " (" + fmt + ")", f.median(), f.best());
    }

    static String ratio(double java, Peers.Figure f) {
        return f == null || !(f.median() > 0) ? "n/a" : String.format(Locale.ROOT, "%.2f×", java / f.median());
    }

    static String verdict(double ratio, double target) {
        return String.format(Locale.ROOT, "%s %.2f×", ratio >= target ? "met" : "**missed**", ratio);
    }
}
