package io.cpo4j.bench;

import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.TreeSet;

/**
 * The Llama rows of the results file, smollm2-135m's shape: a training step (batch 4 × 256) against
 * {@code bench/peers/torch_llama_step.py}'s step, and batch-1 decoding against the memory-bandwidth
 * bound ({@link LlamaStepBenchmark}, {@link LlamaDecodeBenchmark}, and the decode measured in turns with
 * its bound, {@link LlamaDecodeInTurnsBenchmark}). A row whose cpo4j side did not run shows torch alone.
 */
final class LlamaTables {

    static final LlamaShape SHAPE = LlamaShape.smollm2_135m();
    static final int STEP_BATCH = 4, STEP_BLOCK = 256, DECODE_POSITION = 128;
    /** Batch-1 decoding must reach this fraction of the bandwidth bound. */
    static final double DECODE_TARGET = 0.8;
    static final String STEP = "LlamaStepBenchmark.step", DECODE = "LlamaDecodeBenchmark.step";
    /** {@link LlamaDecodeInTurnsBenchmark}'s benchmark and the prefix of its notes. */
    static final String DECODE_IN_TURNS = "LlamaDecodeInTurnsBenchmark.turns", TURNS = "decode.turns.";

    private LlamaTables() {}

    /** The peer's case name for a decode batch, as torch_llama_step.py writes it. */
    static String decodeCase(String batch) {
        return SHAPE.name() + " decode batch " + batch;
    }

    /** Whether {@code benchmark} is a Llama row with torch figures, so its table shows even before cpo4j has a side. */
    static boolean hasPeer(String benchmark, Peers.Outcome p) {
        String kase = benchmark.equals(STEP) ? SHAPE.name() : benchmark.equals(DECODE) ? decodeCase("1") : null;
        return kase != null && p.figures().stream().anyMatch(f -> f.who().equals("torch") && f.kase().equals(kase));
    }

    static void step(StringBuilder md, Cases.Case c, List<JmhRun.Timing> rows, Peers.Outcome p) {
        md.append("Batch ").append(STEP_BATCH).append(" × ").append(STEP_BLOCK).append(" tokens of random ids; ").append(String.format(Locale.ROOT, "%.1f", SHAPE.parameterCount() / 1e6))
          .append("M parameters. Peer: `bench/peers/torch_llama_step.py --config ").append(SHAPE.name())
          .append(" --threads N --grad-clip 1` (our own Llama in plain torch, float32, AdamW); both clip gradients at norm 1.\n\n");
        md.append("| threads | cpo4j tokens/s | ms per step | torch tokens/s | torch ms per step | ratio | target ≥ ")
          .append(ModelTables.TRAIN_STEP_TARGET).append("× torch |\n|---|---|---|---|---|---|---|\n");
        for (int t : threads(rows, p, SHAPE.name())) {
            JmhRun.Timing own = rows.stream().filter(r -> r.threads() == t).findFirst().orElse(null);
            Peers.Figure torch = Report.find(p, "torch", t, SHAPE.name());
            double java = own == null ? Double.NaN : c.rate(own.shape(), own.medianMicros());
            md.append("| ").append(t).append(" | ")
              .append(own == null ? "n/a" : String.format(Locale.ROOT, "%.0f (%.0f)", java, c.rate(own.shape(), own.bestMicros()))).append(" | ")
              .append(own == null ? "n/a" : String.format(Locale.ROOT, "%.1f", own.medianMicros() / 1e3)).append(" | ")
              .append(Report.peerCell(torch, "%.0f")).append(" | ")
              .append(torch == null ? "n/a" : String.format(Locale.ROOT, "%.1f", STEP_BATCH * STEP_BLOCK / torch.median() * 1e3)).append(" | ")
              .append(own == null ? "n/a" : Report.ratio(java, torch)).append(" | ")
              .append(own == null || torch == null ? "n/a" : Report.verdict(java / torch.median(), ModelTables.TRAIN_STEP_TARGET)).append(" |\n");
        }
    }

    /**
     * Batch-1 tokens/s of cpo4j and torch against the bound from the same run's bandwidth. Decoding only
     * reads its weights, so the target is held against the read bound: the higher of the Java read and
     * the native read probe ({@code bench/peers/mem_read.c}) at that thread count, whichever streams
     * faster. The copy bound (read + write counted) is shown beside it.
     */
    static void decode(StringBuilder md, Cases.Case c, List<JmhRun.Timing> rows, Peers.Outcome p, List<JmhRun.Timing> copies, List<JmhRun.Timing> reads) {
        md.append(String.format(Locale.ROOT, "One new token at position %d; a step reads %.1f MB of float32 weights (every layer, the %d × %d LM head, one embedding row) ",
                        DECODE_POSITION, SHAPE.decodeWeightBytes() / 1e6, SHAPE.vocab(), SHAPE.hidden()))
          .append(String.format(Locale.ROOT, "and %.1f MB of KV cache per sequence (`DecodeBound`). Bound: bandwidth of the same thread count / those bytes; ",
                        SHAPE.decodeCacheBytes(DECODE_POSITION) / 1e6))
          .append("the target is held against the read bound, the higher of the Java read (`MemoryBandwidthBenchmark.read`) and the native read ")
          .append("(`bench/peers/mem_read.c`, median of 15), since decoding only reads; the copy bound counts read + write. ")
          .append("Peer: `bench/peers/torch_llama_step.py --mode decode`.\n\n");
        md.append("| batch | threads | bound (copy), tokens/s | bound (Java read) | bound (native read) | torch tokens/s | torch / read bound | cpo4j tokens/s | cpo4j / copy bound | cpo4j / read bound | target ≥ ")
          .append(DECODE_TARGET).append(" of the read bound |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
        String batch = rows.isEmpty() ? "1" : rows.get(0).shape();
        int b = Integer.parseInt(batch);
        for (int t : threads(rows, p, decodeCase(batch))) {
            JmhRun.Timing own = rows.stream().filter(r -> r.threads() == t).findFirst().orElse(null);
            Peers.Figure torch = Report.find(p, "torch", t, decodeCase(batch));
            Peers.Figure nativeRead = Report.find(p, "native", t, "read");
            double copy = bound("MemoryBandwidthBenchmark.copy", copies, t, b);
            double javaRead = bound("MemoryBandwidthBenchmark.read", reads, t, b);
            double machineRead = nativeRead == null ? Double.NaN : DecodeBound.tokensPerSecond(nativeRead.median() * 1e9, SHAPE, DECODE_POSITION, b);
            double read = Double.isNaN(javaRead) ? machineRead : Double.isNaN(machineRead) ? javaRead : Math.max(javaRead, machineRead);
            double java = own == null ? Double.NaN : c.rate(own.shape(), own.medianMicros());
            md.append("| ").append(batch).append(" | ").append(t).append(" | ").append(cell(copy, "%.1f")).append(" | ").append(cell(javaRead, "%.1f"))
              .append(" | ").append(cell(machineRead, "%.1f")).append(" | ")
              .append(Report.peerCell(torch, "%.1f")).append(" | ").append(torch == null ? "n/a" : cell(torch.median() / read, "%.2f")).append(" | ")
              .append(own == null ? "n/a" : String.format(Locale.ROOT, "%.1f (%.1f)", java, c.rate(own.shape(), own.bestMicros()))).append(" | ")
              .append(cell(java / copy, "%.2f")).append(" | ").append(cell(java / read, "%.2f")).append(" | ")
              .append(Double.isNaN(java / read) ? "n/a" : Report.verdict(java / read, DECODE_TARGET).replace("×", "")).append(" |\n");
        }
    }

    /**
     * {@link LlamaDecodeInTurnsBenchmark}: per call, cpo4j's tokens/s over the read bound of the same call
     * (the higher of the native and the Java read); the median of those ratios is held against the target.
     */
    static void decodeInTurns(StringBuilder md, List<JmhRun.Timing> rows, Map<String, String> notes) {
        md.append("Each call runs ").append(LlamaDecodeInTurnsBenchmark.STEPS).append(" decoding steps (batch 1, position ").append(DECODE_POSITION)
          .append("), ").append(LlamaDecodeInTurnsBenchmark.PASSES).append(" passes of the native read (`bench/peers/mem_read.c --serve`) and ")
          .append(LlamaDecodeInTurnsBenchmark.PASSES).append(" of the Java read over 256 MiB, in an order that rotates from call to call, so that the decode and its bound ")
          .append("meet the same moments of a shared machine. Per call: bound = the higher of the two reads / ")
          .append(String.format(Locale.ROOT, "%.1f MB per step", DecodeBound.bytesPerStep(SHAPE, DECODE_POSITION, 1) / 1e6))
          .append("; the table gives medians over the measured calls.\n\n");
        md.append("| batch | threads | calls | cpo4j tokens/s | native read GB/s | Java read GB/s | read bound, tokens/s | cpo4j / read bound, median of calls | target ≥ ")
          .append(DECODE_TARGET).append(" of the bound |\n|---|---|---|---|---|---|---|---|---|\n");
        for (JmhRun.Timing t : rows) {
            int batch = Integer.parseInt(t.shape());
            String key = TURNS + t.threads() + ".";
            double[] ms = ModelTables.inOrderKey(notes, key + "cpo4j"), java = ModelTables.inOrderKey(notes, key + "java"),
                    machine = ModelTables.inOrderKey(notes, key + "native");
            int calls = Math.min(ms.length, java.length);
            double[] tokens = new double[calls], bound = new double[calls], ratio = new double[calls];
            for (int i = 0; i < calls; i++) {
                double gigabytes = i < machine.length ? Math.max(java[i], machine[i]) : java[i];
                tokens[i] = batch * 1e3 / ms[i];
                bound[i] = DecodeBound.tokensPerSecond(gigabytes * 1e9, SHAPE, DECODE_POSITION, batch);
                ratio[i] = tokens[i] / bound[i];
            }
            double r = calls == 0 ? Double.NaN : ModelTables.median(ratio);
            md.append("| ").append(batch).append(" | ").append(t.threads()).append(" | ").append(calls).append(" | ")
              .append(cell(calls == 0 ? Double.NaN : ModelTables.median(tokens), "%.1f")).append(" | ")
              .append(cell(machine.length == 0 ? Double.NaN : ModelTables.median(machine), "%.1f")).append(" | ")
              .append(cell(java.length == 0 ? Double.NaN : ModelTables.median(java), "%.1f")).append(" | ")
              .append(cell(calls == 0 ? Double.NaN : ModelTables.median(bound), "%.1f")).append(" | ")
              .append(cell(r, "%.2f")).append(" | ")
              .append(Double.isNaN(r) ? "n/a" : Report.verdict(r, DECODE_TARGET).replace("×", "")).append(" |\n");
        }
        for (var e : notes.entrySet()) if (e.getKey().startsWith(TURNS + "note.")) md.append("\nnote: ").append(e.getValue()).append('\n');
    }

    /** The bound at {@code threads} from a bandwidth benchmark of the same run, or NaN when it did not run. */
    private static double bound(String benchmark, List<JmhRun.Timing> bandwidth, int threads, int batch) {
        return bandwidth.stream().filter(b -> b.threads() == threads).findFirst()
                .map(b -> DecodeBound.tokensPerSecond(Cases.of(benchmark).rate(b.shape(), b.medianMicros()) * 1e9, SHAPE, DECODE_POSITION, batch))
                .orElse(Double.NaN);
    }

    private static String cell(double v, String fmt) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, fmt, v);
    }

    /** Thread counts of cpo4j's rows and of torch's figures for {@code kase}, in order. */
    private static TreeSet<Integer> threads(List<JmhRun.Timing> rows, Peers.Outcome p, String kase) {
        TreeSet<Integer> threads = new TreeSet<>();
        rows.forEach(r -> threads.add(r.threads()));
        p.figures().stream().filter(f -> f.who().equals("torch") && f.kase().equals(kase)).forEach(f -> threads.add(f.threads()));
        return threads;
    }
}
