package io.cpo4j.model.llama;

import io.cpo4j.engine.DType;
import io.cpo4j.model.lm.ModelConfig;
import io.cpo4j.model.lm.WeightShapes;

import java.util.List;
import java.util.Locale;

/**
 * The shape of a Llama-family model (Llama, Mistral, Qwen2, Qwen3, SmolLM): RMSNorm, rotary
 * embeddings, grouped-query attention, SwiGLU MLP. Field names follow HuggingFace's configs
 * ({@code hidden_size}, {@code intermediate_size}, {@code num_key_value_heads}, {@code head_dim},
 * {@code rope_theta}, …); the family's variations are flags: biases on q/k/v (Qwen2) or on every
 * attention projection ({@code attention_bias}), per-head q/k RMSNorm (Qwen3), a tied or separate
 * output head.
 *
 * @param modelType      llama, mistral, qwen2 or qwen3 (what {@code config.json} says, and writes back)
 * @param contextLength  max_position_embeddings (for Mistral, at most its sliding window)
 * @param width          hidden_size
 * @param hiddenSize     intermediate_size, the MLP's inner width
 * @param headSize       head_dim (hidden_size / heads unless the config gives it)
 * @param qkvBias        q, k and v projections have biases
 * @param outputBias     the attention output projection has a bias
 * @param qkNorm         q and k are RMS-normalised per head before rotation
 */
public record LlamaConfig(String modelType, int vocabSize, int contextLength, int layers, int width, int hiddenSize,
                          int heads, int kvHeads, int headSize, float rmsNormEps, double ropeTheta, RopeScaling ropeScaling,
                          boolean qkvBias, boolean outputBias, boolean qkNorm, boolean tiedEmbeddings) implements ModelConfig {

    /** The model types this family covers. */
    public static final List<String> MODEL_TYPES = List.of("llama", "mistral", "qwen2", "qwen3");

    public LlamaConfig {
        require(MODEL_TYPES.contains(modelType), "model_type must be one of " + MODEL_TYPES + ", got " + modelType);
        require(vocabSize > 0, "vocab_size must be positive, got " + vocabSize);
        require(contextLength > 0, "max_position_embeddings must be positive, got " + contextLength);
        require(layers > 0, "num_hidden_layers must be positive, got " + layers);
        require(width > 0, "hidden_size must be positive, got " + width);
        require(hiddenSize > 0, "intermediate_size must be positive, got " + hiddenSize);
        require(heads > 0, "num_attention_heads must be positive, got " + heads);
        require(kvHeads > 0 && heads % kvHeads == 0, "num_key_value_heads (" + kvHeads + ") must divide num_attention_heads (" + heads + ")");
        require(headSize > 0 && headSize % 2 == 0, "head_dim must be positive and even (rotary pairs), got " + headSize);
        require(rmsNormEps > 0f, "rms_norm_eps must be positive, got " + rmsNormEps);
        require(ropeTheta > 0, "rope_theta must be positive, got " + ropeTheta);
        require(ropeScaling != null, "rope_scaling must not be null (use RopeScaling.NONE)");
    }

    private static void require(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException("Llama config: " + message);
    }

    /** A config with Llama's defaults for everything but the sizes: no biases, no q/k norm, θ = 10000, eps 1e-5. */
    public static LlamaConfig llama(int vocabSize, int contextLength, int layers, int width, int hiddenSize, int heads, int kvHeads, boolean tied) {
        return new LlamaConfig("llama", vocabSize, contextLength, layers, width, hiddenSize, heads, kvHeads, width / heads,
                1e-5f, 10000, RopeScaling.NONE, false, false, false, tied);
    }

    /** Vocabulary 512, 4 layers, width 128, 4 heads sharing 2 K/V heads, context 128: trains in seconds. */
    public static LlamaConfig tiny() {
        return llama(512, 128, 4, 128, 384, 4, 2, true);
    }

    /** SmolLM2-135M. */
    public static LlamaConfig smollm2_135m() {
        return new LlamaConfig("llama", 49152, 8192, 30, 576, 1536, 9, 3, 64, 1e-5f, 100000, RopeScaling.NONE, false, false, false, true);
    }

    /** SmolLM2-360M. */
    public static LlamaConfig smollm2_360m() {
        return new LlamaConfig("llama", 49152, 8192, 32, 960, 2560, 15, 5, 64, 1e-5f, 100000, RopeScaling.NONE, false, false, false, true);
    }

    /** Qwen2.5-0.5B. */
    public static LlamaConfig qwen25_05b() {
        return new LlamaConfig("qwen2", 151936, 32768, 24, 896, 4864, 14, 2, 64, 1e-6f, 1000000, RopeScaling.NONE, true, false, false, true);
    }

    /** Llama 3.2 1B. */
    public static LlamaConfig llama32_1b() {
        return new LlamaConfig("llama", 128256, 131072, 16, 2048, 8192, 32, 8, 64, 1e-5f, 500000,
                RopeScaling.llama3(32, 1, 4, 8192), false, false, false, true);
    }

    /** OpenLLaMA 3B (the method paper's second model). */
    public static LlamaConfig openLlama3b() {
        return new LlamaConfig("llama", 32000, 2048, 26, 3200, 8640, 32, 32, 100, 1e-6f, 10000, RopeScaling.NONE, false, false, false, false);
    }

    /** The preset names {@link #preset} accepts. */
    public static List<String> presets() {
        return List.of("llama-tiny", "smollm2-135m", "smollm2-360m", "qwen2.5-0.5b", "llama-3.2-1b", "open-llama-3b");
    }

    /** A preset by name (see {@link #presets()}). */
    public static LlamaConfig preset(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "llama-tiny" -> tiny();
            case "smollm2-135m" -> smollm2_135m();
            case "smollm2-360m" -> smollm2_360m();
            case "qwen2.5-0.5b" -> qwen25_05b();
            case "llama-3.2-1b" -> llama32_1b();
            case "open-llama-3b" -> openLlama3b();
            default -> throw new IllegalArgumentException("unknown model preset '" + name + "'; presets: " + presets());
        };
    }

    /** Query heads per K/V head. */
    public int groupSize() {
        return heads / kvHeads;
    }

    @Override
    public float dropout() {
        return 0f;
    }

    @Override
    public long parameterCount() {
        long c = width, q = (long) heads * headSize, kv = (long) kvHeads * headSize;
        long attention = c * q + 2 * c * kv + q * c + (qkvBias ? q + 2 * kv : 0) + (outputBias ? c : 0) + (qkNorm ? 2L * headSize : 0);
        long mlp = 3 * c * hiddenSize;
        long perLayer = 2 * c + attention + mlp;
        return (long) vocabSize * c * (tiedEmbeddings ? 1 : 2) + layers * perLayer + c;
    }

    /** Two norms and the residual (3·C), q, k, v before and after rotation, the attention output, its projection, and the MLP's gate, up, product and output; attention keeps no (T, T) rows. */
    @Override
    public long activationFloatsPerTokenLayer(int time) {
        long q = (long) heads * headSize, kv = (long) kvHeads * headSize;
        return 4L * width + 3 * q + 4 * kv + 3L * hiddenSize + heads;   // flash attention keeps one log-sum-exp per head, not (T, T)
    }

    @Override
    public LlamaConfig withVocabSize(int v) {
        return new LlamaConfig(modelType, v, contextLength, layers, width, hiddenSize, heads, kvHeads, headSize, rmsNormEps, ropeTheta, ropeScaling,
                qkvBias, outputBias, qkNorm, tiedEmbeddings);
    }

    @Override
    public LlamaConfig withContextLength(int t) {
        return new LlamaConfig(modelType, vocabSize, t, layers, width, hiddenSize, heads, kvHeads, headSize, rmsNormEps, ropeTheta, ropeScaling,
                qkvBias, outputBias, qkNorm, tiedEmbeddings);
    }

    /** Llama-family models have no dropout; only 0 is accepted. */
    @Override
    public LlamaConfig withDropout(float p) {
        if (p != 0f) throw new IllegalArgumentException("Llama config: the " + modelType + " family has no dropout; got " + p);
        return this;
    }

    @Override
    public Llama create(long seed) {
        return Llama.create(this, seed);
    }

    @Override
    public Llama allocate(long seed) {
        return Llama.allocate(this, seed);
    }

    @Override
    public Llama allocateFrozen(DType dtype, long seed) {
        return Llama.allocateFrozen(this, dtype, seed);
    }

    @Override
    public WeightShapes weightShapes() {
        return LlamaWeights.declare(this);
    }
}
