package io.cpo4j.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The model-level tables of the results file: a training step beside PyTorch, memory bandwidth,
 * decoding against its bandwidth bound, and a CPO step against K MLE steps.
 */
final class ModelTables {

    /** A training step must match PyTorch; batch-1 decoding must reach this fraction of the bandwidth bound. */
    static final double TRAIN_STEP_TARGET = 1.0, DECODE_TARGET = 0.6;
    /** GPT-2 BPE encoding must reach this many MB/s on one thread. */
    static final double ENCODE_TARGET = 1.0;
    /** A CPO step costs at most this × (K × an MLE step), plus generating its negatives. */
    static final double CPO_STEP_FACTOR = 1.2;

    private ModelTables() {}

    static void trainStep(StringBuilder md, Cases.Case c, List<JmhRun.Timing> rows, Peers.Outcome p, Map<String, String> notes) {
        String forcedCore = p.figures().stream().map(Peers.Figure::who).filter(w -> w.startsWith("torch/")).findFirst().orElse(null);
        md.append("`tiny`: vocab 512, 4 layers, 4 heads, width 128, batch 16 × 128 tokens; `small`: GPT-2 124M, batch 4 × 256 tokens.\n")
          .append("Peer: `../shared/peers/torch_gpt_step.py --config CONFIG --threads N` (nanoGPT's model, explicit attention, AdamW)");
        if (forcedCore != null) md.append(", as OpenBLAS configures itself and again with `OPENBLAS_CORETYPE=").append(forcedCore.substring(6)).append('`');
        md.append("; both clip gradients at norm 1.\nHeap: peak = the most the heap held after any collection during the benchmark (live data, a step's activations ")
          .append("in flight included); live = what a full GC leaves at the end (weights, gradients, AdamW moments, buffers).\n\n");
        md.append("| config | threads | cpo4j tokens/s | ms per step | torch tokens/s | ratio |");
        if (forcedCore != null) md.append(' ').append(forcedCore).append(" | ratio |");
        md.append(" target ≥ ").append(TRAIN_STEP_TARGET).append("× best torch | peak live heap | live heap at rest |\n|---|---|---|---|---|---|")
          .append(forcedCore != null ? "---|---|" : "").append("---|---|---|\n");
        for (JmhRun.Timing t : rows) {
            Peers.Figure torch = Report.find(p, "torch", t.threads(), t.shape());
            Peers.Figure forced = forcedCore == null ? null : Report.find(p, forcedCore, t.threads(), t.shape());
            double java = c.rate(t.shape(), t.medianMicros());
            md.append("| ").append(t.shape()).append(" | ").append(t.threads()).append(" | ")
              .append(String.format(Locale.ROOT, "%.0f (%.0f)", java, c.rate(t.shape(), t.bestMicros()))).append(" | ")
              .append(String.format(Locale.ROOT, "%.1f", t.medianMicros() / 1e3)).append(" | ").append(Report.peerCell(torch, "%.0f")).append(" | ")
              .append(Report.ratio(java, torch)).append(" | ");
            if (forcedCore != null) md.append(Report.peerCell(forced, "%.0f")).append(" | ").append(Report.ratio(java, forced)).append(" | ");
            double best = Math.max(torch == null ? 0 : torch.median(), forced == null ? 0 : forced.median());
            md.append(best == 0 ? "n/a" : Report.verdict(java / best, TRAIN_STEP_TARGET)).append(" | ")
              .append(mebibytes(notes.get("heap.peak." + t.shape() + "." + t.threads()))).append(" | ")
              .append(mebibytes(notes.get("heap.live." + t.shape() + "." + t.threads()))).append(" |\n");
        }
    }

    /**
     * The training step measured in turns with torch: per configuration and thread count, the
     * median milliseconds of each side over the calls, and the median over calls of
     * (fastest torch of the call / cpo4j of the call), which is cpo4j's tokens/s over torch's.
     */
    static void trainStepInTurns(StringBuilder md, List<JmhRun.Timing> rows, Map<String, String> notes) {
        md.append("Each benchmark call runs one cpo4j step and one step of each torch peer (`bench/peers/paired_train_peer.py`, which runs\n")
          .append("`../shared/peers/torch_gpt_step.py`'s own step, clipping at 1, on OpenBLAS's best kernel set for this machine when one is known),\n")
          .append("each step after a pause of ").append(PeerProcess.SETTLE_MILLIS).append(" ms (so that the idle-spinning threads of the last step's BLAS are asleep), in an order\n")
          .append("that rotates from call to call; the ratio is taken within each call against the faster torch of that call, and the table gives\n")
          .append("medians over the measured calls, which follow 6 warm-up iterations of 1 s (6 calls of the 124M step; the JIT is still\n")
          .append("compiling through the first few). `tiny`: batch 16 × 128; `small`: GPT-2 124M, batch 4 × 256.\n\n");
        inTurnsRows(md, rows, notes, "train.turns.", TrainStepBenchmark::tokens);
    }

    /**
     * The rows of a step measured in turns, from the notes {@code <prefix><config>.<threads>.<who>} (ms per step,
     * in call order; who is cpo4j or torch...) and the notes {@code <prefix>note.*}; tokens per step by config.
     */
    static void inTurnsRows(StringBuilder md, List<JmhRun.Timing> rows, Map<String, String> notes, String prefix, ToDoubleFunction<String> tokensPerStep) {
        md.append("| config | threads | calls | cpo4j ms per step | cpo4j tokens/s | torch ms per step (median) | cpo4j / best torch, median of calls | target ≥ ")
          .append(TRAIN_STEP_TARGET).append("× |\n|---|---|---|---|---|---|---|---|\n");
        for (JmhRun.Timing t : rows) {
            String key = prefix + t.shape() + "." + t.threads() + ".";
            double[] own = inOrderKey(notes, key + "cpo4j");
            Map<String, double[]> peers = new java.util.LinkedHashMap<>();
            for (String k : notes.keySet()) {
                if (k.startsWith(key + "torch")) peers.put(k.substring(key.length()), inOrderKey(notes, k));
            }
            double[] ratios = new double[own.length];
            for (int i = 0; i < own.length; i++) {
                double best = Double.POSITIVE_INFINITY;                  // the faster torch of call i, in ms
                for (double[] p : peers.values()) if (i < p.length && p[i] < best) best = p[i];
                ratios[i] = best == Double.POSITIVE_INFINITY ? Double.NaN : best / own[i];
            }
            StringBuilder peerCells = new StringBuilder();
            peers.forEach((who, ms) -> peerCells.append(peerCells.isEmpty() ? "" : "; ").append(who).append(' ').append(String.format(Locale.ROOT, "%.1f", median(ms))));
            double ratio = median(ratios);
            md.append("| ").append(t.shape()).append(" | ").append(t.threads()).append(" | ").append(own.length).append(" | ")
              .append(String.format(Locale.ROOT, "%.1f", median(own))).append(" | ")
              .append(String.format(Locale.ROOT, "%.0f", tokensPerStep.applyAsDouble(t.shape()) / median(own) * 1e3)).append(" | ")
              .append(peerCells.isEmpty() ? "n/a" : peerCells).append(" | ")
              .append(Double.isNaN(ratio) ? "n/a" : String.format(Locale.ROOT, "%.2f×", ratio)).append(" | ")
              .append(Double.isNaN(ratio) ? "n/a" : Report.verdict(ratio, TRAIN_STEP_TARGET)).append(" |\n");
        }
        for (var e : notes.entrySet()) if (e.getKey().startsWith(prefix + "note.")) md.append("\nnote: ").append(e.getValue()).append('\n');
    }

    static double[] inOrderKey(Map<String, String> notes, String key) {
        String v = notes.get(key);
        if (v == null || v.isBlank()) return new double[0];
        return java.util.Arrays.stream(v.split(",")).mapToDouble(Double::parseDouble).toArray();
    }

    private static String mebibytes(String bytes) {
        return bytes == null ? "n/a" : String.format(Locale.ROOT, "%.0f MiB", Long.parseLong(bytes) / 1048576.0);
    }

    static void bandwidth(StringBuilder md, Cases.Case c, List<JmhRun.Timing> rows) {
        md.append("| threads | GB/s |\n|---|---|\n");
        for (JmhRun.Timing t : rows) md.append("| ").append(t.threads()).append(" | ").append(Report.javaCell(c, t)).append(" |\n");
    }

    /**
     * Tokens/s per batch and threads; batch 1 against its bound, bandwidth / parameter bytes, with the copy
     * bandwidth of the same thread count (the target's measure) and, beside it, the read-only bandwidth.
     */
    static void decode(StringBuilder md, Cases.Case c, List<JmhRun.Timing> rows, List<JmhRun.Timing> copies, List<JmhRun.Timing> reads) {
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
                    Report.verdict(java / copy, DECODE_TARGET).replace("×", ""))).append(" | ");
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
     * ms per step per recipe and thread count — medians over the paired calls of {@link CpoStepBenchmark} — against
     * the bound 1.2 × K × MLE (+ sampling, for autoregressive negatives). K × MLE assumes candidates as long as the
     * truth; sampled negatives run longer (up to 1.5×), so the autoregressive step is also held against an MLE step
     * measured on its own tokens ({@code mle-candidates}).
     */
    static void cpoStep(StringBuilder md, List<JmhRun.Timing> rows, Map<String, String> notes) {
        int k = CpoStepBenchmark.K;
        md.append("Measured paired: each benchmark call runs one step of every recipe, in an order that rotates from call to call, ")
          .append("so that the machine's drift hits all recipes alike. Times are medians over the measured calls (fastest in parentheses); ")
          .append("a bound is checked call by call — the step against the bound made of the same call's MLE and sampling times — and ")
          .append("\"step / bound\" is the median of those ratios (≤ 1: within). ")
          .append("`negatives-autoregressive` times only the sampling of the K − 1 negatives a `cpo-autoregressive` step makes; ")
          .append("`mle-candidates` is an MLE step on the same tokens as that step (each truth and K − 1 negatives sampled from the reference, ")
          .append("as K × 16 plain examples). Bound: ").append(CPO_STEP_FACTOR).append(" × K × (MLE step), plus that sampling for autoregressive negatives. ")
          .append("Sampled negatives are longer than the truth (up to 1.5×; an untrained model rarely ends early), which K × MLE does not count, ")
          .append("so the autoregressive step is also held against ").append(CPO_STEP_FACTOR)
          .append(" × (MLE on the same tokens) + sampling. Tokens per step (mean over the calls): the input positions of every candidate, ")
          .append("unpadded (prefix + continuation − 1 each) — what the step scores; CPO reads some candidates from another's row or skips ")
          .append("the reference's pass over them, so it runs fewer.\n\n");
        md.append("| recipe | threads | ms per step | tokens per step | × MLE step | bound K × MLE, ms | step / bound | within | bound on the same tokens, ms | step / bound | within |\n")
          .append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (JmhRun.Timing t : rows) {
            int threads = t.threads();
            double[] mle = inOrder(notes, "mle", threads), sampling = inOrder(notes, "negatives-autoregressive", threads);
            double[] same = inOrder(notes, "mle-candidates", threads);
            for (String recipe : CpoStepBenchmark.RECIPES) {
                double[] ms = inOrder(notes, recipe, threads);
                if (ms.length == 0) continue;
                String tokens = notes.get("cpo.tokens." + recipe + "." + threads);
                md.append("| ").append(recipe).append(" | ").append(threads).append(" | ")
                  .append(String.format(Locale.ROOT, "%.1f (%.1f)", median(ms), java.util.Arrays.stream(ms).min().orElse(Double.NaN))).append(" | ")
                  .append(tokens == null ? "—" : tokens).append(" | ")
                  .append(mle.length == 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", median(ms) / median(mle))).append(" | ");
                boolean contrastive = recipe.startsWith("cpo-"), sampled = recipe.equals("cpo-autoregressive");
                int n = ms.length;
                if (!contrastive || mle.length != n || (sampled && sampling.length != n)) {
                    md.append("— | — | — | — | — | — |\n");
                    continue;
                }
                double[] literal = new double[n], literalRatio = new double[n];
                for (int i = 0; i < n; i++) {
                    literal[i] = CPO_STEP_FACTOR * k * mle[i] + (sampled ? sampling[i] : 0);
                    literalRatio[i] = ms[i] / literal[i];
                }
                double lr = median(literalRatio);
                md.append(String.format(Locale.ROOT, "%.1f | %.2f | %s | ", median(literal), lr, lr <= 1 ? "yes" : "**no**"));
                if (!sampled || same.length != n) {
                    md.append("— | — | — |\n");
                    continue;
                }
                double[] bound = new double[n], ratio = new double[n];
                for (int i = 0; i < n; i++) {
                    bound[i] = CPO_STEP_FACTOR * same[i] + sampling[i];
                    ratio[i] = ms[i] / bound[i];
                }
                double r = median(ratio);
                md.append(String.format(Locale.ROOT, "%.1f | %.2f | %s |", median(bound), r, r <= 1 ? "yes" : "**no**")).append('\n');
            }
        }
    }

    /** The per-call milliseconds a recipe noted, in call order (call i of every recipe is the same benchmark call), or an empty array. */
    private static double[] inOrder(Map<String, String> notes, String recipe, int threads) {
        return inOrderKey(notes, "cpo.ms." + recipe + "." + threads);
    }

    /** The median of the values that are not NaN; NaN when none is. */
    static double median(double[] values) {
        double[] v = java.util.Arrays.stream(values).filter(d -> !Double.isNaN(d)).sorted().toArray();
        if (v.length == 0) return Double.NaN;
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** MB/s of UTF-8 text per corpus on one thread, from the bytes each benchmark's setup noted; encode against 1 MB/s. */
    static void tokenizer(StringBuilder md, List<JmhRun.Timing> rows, Map<String, String> notes) {
        String files = rows.isEmpty() ? "" : hfTokenizer(rows.get(0).benchmark());
        md.append(files == null ? "GPT-2's 50,257-token vocabulary from `../shared/data/gpt2-tokenizer`"
                        : "`tokenizer.json` and `tokenizer_config.json` from `../shared/data/hf-tokenizers/" + files + "`")
          .append("; text from `../shared/data` (Dolly: the first records' ")
          .append("instruction, context and response, about 1 MB).\n\n| corpus | MB of text | threads | MB/s | ms per call | target ≥ ")
          .append(ENCODE_TARGET).append(" MB/s (encode, one call) |\n|---|---|---|---|---|---|\n");
        for (JmhRun.Timing t : rows) {
            String bytes = notes.get("tokenizer.bytes." + t.shape());
            md.append("| ").append(t.shape()).append(" | ");
            if (bytes == null) {
                md.append("n/a | ").append(t.threads()).append(" | n/a | ").append(String.format(Locale.ROOT, "%.1f", t.medianMicros() / 1e3)).append(" | n/a |\n");
                continue;
            }
            double mb = Double.parseDouble(bytes) / 1e6, rate = mb / (t.medianMicros() / 1e6), best = mb / (t.bestMicros() / 1e6);
            boolean encode = t.benchmark().equals("TokenizerBenchmark.encode") || hfTokenizer(t.benchmark()) != null;
            md.append(String.format(Locale.ROOT, "%.3f | %d | %.2f (%.2f) | %.1f | %s |%n", mb, t.threads(), rate, best, t.medianMicros() / 1e3,
                    encode ? (rate >= ENCODE_TARGET ? "met" : "**missed**") : "—"));
        }
    }

    /** The folder under {@code hf-tokenizers} a HuggingFace tokenizer row reads, or null for a GPT-2 BPE row. */
    static String hfTokenizer(String benchmark) {
        return switch (benchmark) {
            case "TokenizerBenchmark.encodeLlama3" -> "llama3";
            case "TokenizerBenchmark.encodeQwen3" -> "qwen3";
            case "TokenizerBenchmark.encodeSentencePiece" -> "sentencepiece-32k";
            default -> null;
        };
    }
}
