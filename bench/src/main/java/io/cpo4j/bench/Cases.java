package io.cpo4j.bench;

import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * How each benchmark's time per call becomes a rate (GFLOPS or Gelem/s) and which case of the
 * peer scripts it is compared with. One line per benchmark method.
 */
final class Cases {

    /** A benchmark method's unit, work per call (flops, elements, tokens, bytes) and the peer's name for a shape (null: none). */
    record Case(String title, String unit, ToDoubleFunction<String> work, java.util.function.Function<String, String> peerCase) {
        /** Work per second in the unit: giga for G-units, mega for M-units, one for the rest. */
        double rate(String shape, double micros) {
            double perSecond = work.applyAsDouble(shape) / micros * 1e6;
            return unit.startsWith("G") ? perSecond / 1e9 : unit.startsWith("M") ? perSecond / 1e6 : perSecond;
        }
    }

    private static final Map<String, Case> CASES = Map.ofEntries(
            Map.entry("MatmulBenchmark.matmul", new Case("Matmul, float32 C = A·B", "GFLOPS", MatmulBenchmark::flops, Cases::matmulPeerCase)),
            Map.entry("SoftmaxBenchmark.softmax", new Case("Softmax over rows, forward", "Gelem/s", SoftmaxBenchmark::elements, Cases::softmaxPeerCase)),
            Map.entry("LayerNormBenchmark.forward", torch("LayerNorm forward", "Gelem/s", LayerNormBenchmark::elements, "LayerNormBenchmark.forward")),
            Map.entry("LayerNormBenchmark.backward", torch("LayerNorm backward (dx, dw, db)", "Gelem/s", LayerNormBenchmark::elements, "LayerNormBenchmark.backward")),
            Map.entry("GeluBenchmark.forward", torch("GELU (tanh) forward", "Gelem/s", GeluBenchmark::elements, "GeluBenchmark.forward")),
            Map.entry("GeluBenchmark.backward", torch("GELU (tanh) backward", "Gelem/s", GeluBenchmark::elements, "GeluBenchmark.backward")),
            Map.entry("RmsNormBenchmark.forward", torch("RMSNorm forward", "Gelem/s", RmsNormBenchmark::elements, "RmsNormBenchmark.forward")),
            Map.entry("RmsNormBenchmark.backward", torch("RMSNorm backward (dx, dw)", "Gelem/s", RmsNormBenchmark::elements, "RmsNormBenchmark.backward")),
            Map.entry("SwiGluBenchmark.forward", torch("SwiGLU forward", "Gelem/s", SwiGluBenchmark::elements, "SwiGluBenchmark.forward")),
            Map.entry("SwiGluBenchmark.backward", torch("SwiGLU backward", "Gelem/s", SwiGluBenchmark::elements, "SwiGluBenchmark.backward")),
            Map.entry("CrossEntropyBenchmark.forwardBackward", torch("Cross-entropy (fused log-softmax) forward + backward", "Gelem/s", CrossEntropyBenchmark::elements, "CrossEntropyBenchmark.forwardBackward")),
            Map.entry("AdamWBenchmark.step", torch("AdamW step", "Gelem/s", AdamWBenchmark::elements, "AdamWBenchmark.step")),
            Map.entry("AttentionBenchmark.forward", torch("Causal self-attention forward", "GFLOPS", AttentionBenchmark::forwardFlops, "AttentionBenchmark.forward")),
            Map.entry("AttentionBenchmark.forwardBackward", torch("Causal self-attention forward + backward", "GFLOPS", AttentionBenchmark::forwardBackwardFlops, "AttentionBenchmark.forwardBackward")),
            Map.entry("TrainStepInTurnsBenchmark.step", new Case("GPT training step in turns with PyTorch's step", "ms per call", shape -> 1, null)),
            Map.entry("TrainStepBenchmark.step", new Case("GPT training step: forward, backward, clipping, AdamW", "tokens/s", TrainStepBenchmark::tokens, config -> config)),
            Map.entry(LlamaTables.STEP, new Case("Llama training step, smollm2-135m shape: forward, backward, clipping, AdamW", "tokens/s",
                    config -> LlamaTables.STEP_BATCH * LlamaTables.STEP_BLOCK, config -> config)),
            Map.entry(LlamaTurnsTable.BENCHMARK, new Case("Llama training step, smollm2-135m shape, in turns with PyTorch's step", "ms per call", shape -> 1, null)),
            Map.entry(LlamaTables.DECODE, new Case("Llama decoding, smollm2-135m shape, with a KV cache, one token per sequence", "tokens/s",
                    Double::parseDouble, LlamaTables::decodeCase)),
            Map.entry(LlamaTables.DECODE_IN_TURNS, new Case("Llama decoding, smollm2-135m shape, batch 1, in turns with the read probes that set its bound", "ms per call", shape -> 1, null)),
            Map.entry("DecodeBenchmark.step", new Case("GPT-2 124M decoding with a KV cache, one token per sequence", "tokens/s", Double::parseDouble, null)),
            Map.entry("MemoryBandwidthBenchmark.copy", new Case("Memory bandwidth, copy of 256 MiB (read + write)", "GB/s", shape -> MemoryBandwidthBenchmark.bytes(), null)),
            Map.entry("MemoryBandwidthBenchmark.read", new Case("Memory bandwidth, read of 256 MiB", "GB/s", shape -> MemoryBandwidthBenchmark.readBytes(), null)),
            Map.entry("TokenizerBenchmark.encode", tokenizer("GPT-2 BPE encode, one call on about 1 MB of text")),
            Map.entry("TokenizerBenchmark.encodeShort", tokenizer("GPT-2 BPE encode, the same text in pieces of at most 200 characters")),
            Map.entry("TokenizerBenchmark.preTokenize", tokenizer("GPT-2 pre-tokenizer alone")),
            Map.entry("TokenizerBenchmark.decode", tokenizer("GPT-2 BPE decode of that text's ids (MB of text out)")),
            Map.entry("TokenizerBenchmark.encodeLlama3", tokenizer("Llama 3 tokenizer.json encode (HfTokenizer), one call")),
            Map.entry("TokenizerBenchmark.encodeQwen3", tokenizer("Qwen3 tokenizer.json encode (HfTokenizer), one call")),
            Map.entry("TokenizerBenchmark.encodeSentencePiece", tokenizer("SentencePiece-style tokenizer.json encode (HfTokenizer), one call, the whole text one piece")),
            Map.entry(LoraTable.BENCHMARK, new Case("CPO step with LoRA against full fine-tuning, GPT-2 124M, 8 examples of 64 + 64 tokens, K = 4, in turns",
                    "ms per step", shape -> 1, null)),
            Map.entry("CpoStepBenchmark.step", new Case("Sequence-level CPO step against MLE steps, tiny model, 16 examples of 32 + 64 tokens, K = 4, measured paired", "ms per step", shape -> 1, null)));

    /** MB/s of UTF-8 text; the bytes per call depend on the data files, so the benchmark reports them through {@link Notes}. */
    private static Case tokenizer(String title) {
        return new Case(title, "MB/s", corpus -> Double.NaN, null);
    }

    /** A case compared with bench/peers/torch_kernels.py, whose case names are "benchmark shape". */
    private static Case torch(String title, String unit, ToDoubleFunction<String> work, String benchmark) {
        return new Case(title, unit, work, shape -> benchmark + " " + shape);
    }

    private Cases() {}

    /** Report order: the peer-targeted kernels first, then the order of a training step's backward interest. */
    static final java.util.List<String> ORDER = java.util.List.of("MatmulBenchmark.matmul", "SoftmaxBenchmark.softmax",
            "AttentionBenchmark.forward", "AttentionBenchmark.forwardBackward", "LayerNormBenchmark.forward",
            "LayerNormBenchmark.backward", "GeluBenchmark.forward", "GeluBenchmark.backward",
            "RmsNormBenchmark.forward", "RmsNormBenchmark.backward", "SwiGluBenchmark.forward", "SwiGluBenchmark.backward",
            "CrossEntropyBenchmark.forwardBackward", "AdamWBenchmark.step", "TrainStepBenchmark.step", "TrainStepInTurnsBenchmark.step", LlamaTables.STEP, LlamaTurnsTable.BENCHMARK, "MemoryBandwidthBenchmark.copy", "MemoryBandwidthBenchmark.read",
            "DecodeBenchmark.step", LlamaTables.DECODE, LlamaTables.DECODE_IN_TURNS, "CpoStepBenchmark.step", LoraTable.BENCHMARK, "TokenizerBenchmark.encode", "TokenizerBenchmark.encodeShort",
            "TokenizerBenchmark.preTokenize", "TokenizerBenchmark.decode", "TokenizerBenchmark.encodeLlama3", "TokenizerBenchmark.encodeQwen3",
            "TokenizerBenchmark.encodeSentencePiece");

    static Case of(String benchmark) {
        Case c = CASES.get(benchmark);
        if (c == null) throw new IllegalStateException("no unit/work known for benchmark " + benchmark + "; add it to Cases");
        return c;
    }

    /** {@code 1x256x256x256} → {@code square_256}, as numpy_gemm_softmax.py names its cases. */
    static String matmulPeerCase(String shape) {
        int[] s = Shapes.parse(shape, 4);
        int batch = s[0], m = s[1], k = s[2], n = s[3];
        if (batch == 1 && m == k && k == n) return "square_" + m;
        if (batch == 1) return "mlp_up_(" + m + "x" + k + ")@(" + k + "x" + n + ")";
        return "attn_scores_" + batch + "x(" + m + "x" + k + ")@(" + k + "x" + n + ")";
    }

    static String softmaxPeerCase(String shape) {
        int[] s = Shapes.parse(shape, 2);
        String name = "softmax_" + s[0] + "x" + s[1];
        return s[0] == 3072 && s[1] == 256 ? name + "(12*256 rows)" : name;
    }
}
