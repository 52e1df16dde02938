package io.cpo4j.bench;

/**
 * The dimensions of a Llama-family model, as the bench needs them — its parameter count and the
 * bytes one decoding step reads — without the model itself (io.cpo4j.model builds that).
 * The same shapes as {@code bench/peers/torch_llama_step.py}'s CONFIGS.
 */
record LlamaShape(String name, int vocab, int hidden, int intermediate, int layers, int heads, int kvHeads, int headDim, boolean tied, int context) {

    /** HuggingFaceTB/SmolLM2-135M: 134,515,008 parameters. */
    static LlamaShape smollm2_135m() {
        return new LlamaShape("smollm2-135m", 49152, 576, 1536, 30, 9, 3, 64, true, 2048);
    }

    /** q, k, v, o, gate, up, down and the two RMSNorm weights of one layer. */
    long layerParameters() {
        long h = hidden, q = (long) heads * headDim, kv = (long) kvHeads * headDim;
        return h * q + 2 * h * kv + q * h + 3 * h * intermediate + 2 * h;
    }

    /** Every parameter, a tied embedding once. */
    long parameterCount() {
        long embedding = (long) vocab * hidden;
        return layers * layerParameters() + hidden + embedding * (tied ? 1 : 2);
    }

    /**
     * float32 bytes of weights one decoding step reads, whatever its batch: every layer, the final norm,
     * the whole LM head (vocab × hidden, for the logits) and one embedding row per token (counted once:
     * a row is 2 KiB against half a gigabyte). Tied or not, the same bytes: an untied input embedding is
     * only ever read one row at a time.
     */
    double decodeWeightBytes() {
        return 4.0 * (layers * layerParameters() + hidden + (double) vocab * hidden + hidden);
    }

    /** float32 bytes of K and V cache one sequence's new token at {@code position} attends over: positions 0..position, every layer. */
    double decodeCacheBytes(int position) {
        return 4.0 * 2 * layers * (position + 1.0) * kvHeads * headDim;
    }
}
