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
    /** A training step must match PyTorch; batch-1 decoding must reach this fraction of the bandwidth bound. */
    static final double TRAIN_STEP_TARGET = 1.0, DECODE_TARGET = 0.6;
    /** A CPO step costs at most this × (K × an MLE step), plus generating its negatives. */
    static final double CPO_STEP_FACTOR = 1.2;

    private Report() {}

    record Context(String date, String command, Machine machine, List<String> loads,
                   Map<Integer, Double> fmaPeak, Peers.Outcome peers, String noise, Map<String, String> notes) {}

    static String write(Context ctx, List<JmhRun.Timing> timings) {
        StringBuilder md = new StringBuilder();
        Machine m = ctx.machine();
        Peers.Outcome p = ctx.peers();
        md.append("# cpo4j kernel benchmarks, ").append(ctx.date()).append("\n\n");
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
        for (String note : p.notes()) md.append("- note: ").append(note).append('\n');
        if (ctx.noise() != null) md.append("- noise: ").append(ctx.noise()).append('\n');
        md.append("\nFigures are medians over measurement samples (best sample in parentheses); ratios are cpo4j / peer,\n")
          .append("both medians, measured in this one run. cpo4j: JMH, average time per call, 5 warm-up and 5 measured 1 s iterations.\n")
          .append("Peers: `../shared/peers/numpy_gemm_softmax.py` (OpenBLAS through numpy; torch) and `bench/peers/torch_kernels.py`\n")
          .append("(torch, nanoGPT-style attention), each thread count in a fresh process, run right before the matching JMH benchmarks.\n");

        Map<String, List<JmhRun.Timing>> byBenchmark = new LinkedHashMap<>();
        for (String name : Cases.ORDER) byBenchmark.put(name, new ArrayList<>());
        for (JmhRun.Timing t : timings) byBenchmark.computeIfAbsent(t.benchmark(), k -> new ArrayList<>()).add(t);
        byBenchmark.values().removeIf(List::isEmpty);
        for (List<JmhRun.Timing> rows : byBenchmark.values()) {
            rows.sort(java.util.Comparator.comparing(JmhRun.Timing::shape, Report::byShapeOrder).thenComparingInt(JmhRun.Timing::threads));
        }
        for (var e : byBenchmark.entrySet()) {
            Cases.Case c = Cases.of(e.getKey());
            md.append("\n## ").append(c.title()).append(" (").append(c.unit()).append(", higher is better)\n\n");
            switch (e.getKey()) {
                case "MatmulBenchmark.matmul" -> matmulTable(md, c, e.getValue(), p);
                case "SoftmaxBenchmark.softmax" -> softmaxTable(md, c, e.getValue(), p);
                case "TrainStepBenchmark.step" -> trainStepTable(md, c, e.getValue(), p, ctx.notes());
                case "MemoryBandwidthBenchmark.copy", "MemoryBandwidthBenchmark.read" -> bandwidthTable(md, c, e.getValue());
                case "DecodeBenchmark.step" -> decodeTable(md, c, e.getValue(), byBenchmark.getOrDefault("MemoryBandwidthBenchmark.copy", List.of()),
                        byBenchmark.getOrDefault("MemoryBandwidthBenchmark.read", List.of()));
                case "CpoStepBenchmark.step" -> cpoStepTable(md, e.getValue(), ctx.notes());
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

    private static void trainStepTable(StringBuilder md, Cases.Case c, List<JmhRun.Timing> rows, Peers.Outcome p, Map<String, String> notes) {
        String forcedCore = p.figures().stream().map(Peers.Figure::who).filter(w -> w.startsWith("torch/")).findFirst().orElse(null);
        md.append("`tiny`: vocab 512, 4 layers, 4 heads, width 128, batch 16 × 128 tokens; `small`: GPT-2 124M, batch 4 × 256 tokens.\n")
          .append("Peer: `../shared/peers/torch_gpt_step.py --config CONFIG --threads N` (nanoGPT's model, explicit attention, AdamW)");
        if (forcedCore != null) md.append(", as OpenBLAS configures itself and again with `OPENBLAS_CORETYPE=").append(forcedCore.substring(6)).append('`');
        md.append(".\nHeap: the sum of the heap pools' peaks over the benchmark (an upper bound), and what a full GC leaves afterwards.\n\n");
        md.append("| config | threads | cpo4j tokens/s | ms per step | torch tokens/s | ratio |");
        if (forcedCore != null) md.append(' ').append(forcedCore).append(" | ratio |");
        md.append(" target ≥ ").append(TRAIN_STEP_TARGET).append("× best torch | peak heap | live heap |\n|---|---|---|---|---|---|")
          .append(forcedCore != null ? "---|---|" : "").append("---|---|---|\n");
        for (JmhRun.Timing t : rows) {
            Peers.Figure torch = find(p, "torch", t.threads(), t.shape());
            Peers.Figure forced = forcedCore == null ? null : find(p, forcedCore, t.threads(), t.shape());
            double java = c.rate(t.shape(), t.medianMicros());
            md.append("| ").append(t.shape()).append(" | ").append(t.threads()).append(" | ")
              .append(String.format(Locale.ROOT, "%.0f (%.0f)", java, c.rate(t.shape(), t.bestMicros()))).append(" | ")
              .append(String.format(Locale.ROOT, "%.1f", t.medianMicros() / 1e3)).append(" | ").append(peerCell(torch, "%.0f")).append(" | ")
              .append(ratio(java, torch)).append(" | ");
            if (forcedCore != null) md.append(peerCell(forced, "%.0f")).append(" | ").append(ratio(java, forced)).append(" | ");
            double best = Math.max(torch == null ? 0 : torch.median(), forced == null ? 0 : forced.median());
            md.append(best == 0 ? "n/a" : verdict(java / best, TRAIN_STEP_TARGET)).append(" | ")
              .append(mebibytes(notes.get("heap.peak." + t.shape() + "." + t.threads()))).append(" | ")
              .append(mebibytes(notes.get("heap.live." + t.shape() + "." + t.threads()))).append(" |\n");
        }
    }

    private static String mebibytes(String bytes) {
        return bytes == null ? "n/a" : String.format(Locale.ROOT, "%.0f MiB", Long.parseLong(bytes) / 1048576.0);
    }

    private static void bandwidthTable(StringBuilder md, Cases.Case c, List<JmhRun.Timing> rows) {
        md.append("| threads | GB/s |\n|---|---|\n");
        for (JmhRun.Timing t : rows) md.append("| ").append(t.threads()).append(" | ").append(javaCell(c, t)).append(" |\n");
    }

    /**
     * Tokens/s per batch and threads; batch 1 against its bound, bandwidth / parameter bytes, with the copy
     * bandwidth of the same thread count (the target's measure) and, beside it, the read-only bandwidth.
     */
    private static void decodeTable(StringBuilder md, Cases.Case c, List<JmhRun.Timing> rows, List<JmhRun.Timing> copies, List<JmhRun.Timing> reads) {
        md.append(String.format(Locale.ROOT, "At position %d of a 256-token cache; %.0f MB of float32 parameters are read per step. ", DecodeBenchmark.POSITION,
                DecodeBenchmark.parameterBytes() / 1e6))
          .append("Bound for batch 1: bandwidth of the same thread count / parameter bytes, with the copy bandwidth (read + write; the target's measure) ")
          .append("and with the read bandwidth (decoding only reads its weights, so this bound is the stricter one).\n\n");
        md.append("| batch | threads | tokens/s | ms per step | bound (copy), tokens/s | fraction | target ≥ ").append(DECODE_TARGET)
          .append(" at batch 1 | bound (read), tokens/s | fraction |\n|---|---|---|---|---|---|---|---|---|\n");
        for (JmhRun.Timing t : rows) {
            double java = c.rate(t.shape(), t.medianMicros());
            md.append("| ").append(t.shape()).append(" | ").append(t.threads()).append(" | ").append(String.format(Locale.ROOT, "%.1f (%.1f)", java,
                    c.rate(t.shape(), t.bestMicros()))).append(" | ").append(String.format(Locale.ROOT, "%.1f", t.medianMicros() / 1e3)).append(" | ");
            Double copy = bound("MemoryBandwidthBenchmark.copy", copies, t), read = bound("MemoryBandwidthBenchmark.read", reads, t);
            md.append(copy == null ? "n/a | n/a | n/a" : String.format(Locale.ROOT, "%.1f | %.2f | %s", copy, java / copy,
                    verdict(java / copy, DECODE_TARGET).replace("×", ""))).append(" | ");
            md.append(read == null ? "n/a | n/a" : String.format(Locale.ROOT, "%.1f | %.2f", read, java / read)).append(" |\n");
        }
    }

    /** Batch-1 tokens/s that a bandwidth benchmark allows at the timing's thread count, or null. */
    private static Double bound(String benchmark, List<JmhRun.Timing> bandwidth, JmhRun.Timing decode) {
        if (!decode.shape().equals("1")) return null;
        JmhRun.Timing bw = bandwidth.stream().filter(b -> b.threads() == decode.threads()).findFirst().orElse(null);
        return bw == null ? null : Cases.of(benchmark).rate(bw.shape(), bw.medianMicros()) * 1e9 / DecodeBenchmark.parameterBytes();
    }

    /**
     * ms per step per recipe and thread count, against the bound 1.2 × K × MLE (+ sampling, for autoregressive
     * negatives). K × MLE assumes candidates as long as the truth; sampled negatives may run longer (up to 1.5×),
     * so the bound is also given "on the same tokens": 1.2 × (tokens the CPO step scored / tokens of the MLE step) × MLE.
     */
    private static void cpoStepTable(StringBuilder md, List<JmhRun.Timing> rows, Map<String, String> notes) {
        int k = CpoStepBenchmark.K;
        md.append("`negatives-autoregressive` times only the sampling of the K − 1 negatives a `cpo-autoregressive` step makes. ")
          .append("Bound: ").append(CPO_STEP_FACTOR).append(" × K × (MLE step), plus that sampling for autoregressive negatives; ")
          .append("sampled negatives may be longer than the truth, so the bound is also given on the same tokens: ")
          .append(CPO_STEP_FACTOR).append(" × (tokens the step scored / tokens of the MLE step) × (MLE step), plus sampling.\n\n");
        md.append("| recipe | threads | ms per step | tokens per step | × MLE step | bound K × MLE, ms | within | bound on the same tokens, ms | within |\n")
          .append("|---|---|---|---|---|---|---|---|---|\n");
        for (JmhRun.Timing t : rows) {
            double ms = t.medianMicros() / 1e3;
            JmhRun.Timing mle = find(rows, "mle", t.threads()), gen = find(rows, "negatives-autoregressive", t.threads());
            String tokens = notes.get("cpo.tokens." + t.shape() + "." + t.threads()), mleTokens = notes.get("cpo.tokens.mle." + t.threads());
            md.append("| ").append(t.shape()).append(" | ").append(t.threads()).append(" | ").append(String.format(Locale.ROOT, "%.1f", ms)).append(" | ")
              .append(tokens == null ? "—" : tokens).append(" | ")
              .append(mle == null ? "n/a" : String.format(Locale.ROOT, "%.2f", t.medianMicros() / mle.medianMicros())).append(" | ");
            boolean contrastive = t.shape().startsWith("cpo-");
            double sampling = t.shape().equals("cpo-autoregressive") ? (gen == null ? Double.NaN : gen.medianMicros() / 1e3) : 0;
            if (mle == null || !contrastive || Double.isNaN(sampling)) {
                md.append("— | — | — | — |\n");
                continue;
            }
            double mleMs = mle.medianMicros() / 1e3, literal = CPO_STEP_FACTOR * k * mleMs + sampling;
            md.append(String.format(Locale.ROOT, "%.1f | %s | ", literal, ms <= literal ? "yes" : "**no**"));
            if (tokens == null || mleTokens == null) {
                md.append("n/a | n/a |\n");
                continue;
            }
            double same = CPO_STEP_FACTOR * Double.parseDouble(tokens) / Double.parseDouble(mleTokens) * mleMs + sampling;
            md.append(String.format(Locale.ROOT, "%.1f | %s |", same, ms <= same ? "yes" : "**no**")).append('\n');
        }
    }

    private static JmhRun.Timing find(List<JmhRun.Timing> rows, String shape, int threads) {
        return rows.stream().filter(r -> r.shape().equals(shape) && r.threads() == threads).findFirst().orElse(null);
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

    private static String javaCell(Cases.Case c, JmhRun.Timing t) {
        String fmt = c.unit().equals("GFLOPS") ? "%.1f (%.1f)" : "%.3f (%.3f)";
        return String.format(Locale.ROOT, fmt, c.rate(t.shape(), t.medianMicros()), c.rate(t.shape(), t.bestMicros()));
    }

    private static Peers.Figure find(Peers.Outcome p, String who, int threads, String kase) {
        for (Peers.Figure f : p.figures()) {
            if (f.who().equals(who) && f.threads() == threads && f.kase().equals(kase)) return f;
        }
        return null;
    }

    private static String peerCell(Peers.Figure f, String fmt) {
        return f == null ? "n/a" : String.format(Locale.ROOT, fmt + " (" + fmt + ")", f.median(), f.best());
    }

    private static String ratio(double java, Peers.Figure f) {
        return f == null || !(f.median() > 0) ? "n/a" : String.format(Locale.ROOT, "%.2f×", java / f.median());
    }

    private static String verdict(double ratio, double target) {
        return String.format(Locale.ROOT, "%s %.2f×", ratio >= target ? "met" : "**missed**", ratio);
    }
}
