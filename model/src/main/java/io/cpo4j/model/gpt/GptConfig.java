package io.cpo4j.model.gpt;

import io.cpo4j.engine.DType;
import io.cpo4j.model.lm.ModelConfig;
import io.cpo4j.model.lm.WeightShapes;

import java.util.List;
import java.util.Locale;

/**
 * The shape of a GPT-2 model. Field names follow HuggingFace's {@code GPT2Config}
 * ({@code vocab_size}, {@code n_positions}, {@code n_layer}, {@code n_head}, {@code n_embd},
 * {@code layer_norm_epsilon}); dropout is one probability for embeddings, attention output and MLP.
 */
public record GptConfig(int vocabSize, int contextLength, int layers, int heads, int width, float dropout, float layerNormEps) implements ModelConfig {

    public GptConfig {
        require(vocabSize > 0, "vocab_size must be positive, got " + vocabSize);
        require(contextLength > 0, "n_positions must be positive, got " + contextLength);
        require(layers > 0, "n_layer must be positive, got " + layers);
        require(heads > 0, "n_head must be positive, got " + heads);
        require(width > 0 && width % heads == 0, "n_embd (" + width + ") must be a positive multiple of n_head (" + heads + ")");
        require(dropout >= 0f && dropout < 1f, "dropout must be in [0, 1), got " + dropout);
        require(layerNormEps > 0f, "layer_norm_epsilon must be positive, got " + layerNormEps);
    }

    private static void require(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException("GPT config: " + message);
    }

    /** Vocabulary 512, 4 layers, 4 heads, width 128, context 128: trains in seconds on a CPU. */
    public static GptConfig tiny() {
        return new GptConfig(512, 128, 4, 4, 128, 0f, 1e-5f);
    }

    /** GPT-2 small, 124M parameters. */
    public static GptConfig gpt2() {
        return new GptConfig(50257, 1024, 12, 12, 768, 0f, 1e-5f);
    }

    /** GPT-2 medium, 350M parameters. */
    public static GptConfig gpt2Medium() {
        return new GptConfig(50257, 1024, 24, 16, 1024, 0f, 1e-5f);
    }

    /** GPT-2 large, 774M parameters. */
    public static GptConfig gpt2Large() {
        return new GptConfig(50257, 1024, 36, 20, 1280, 0f, 1e-5f);
    }

    /** GPT-2 XL, 1.5B parameters. */
    public static GptConfig gpt2Xl() {
        return new GptConfig(50257, 1024, 48, 25, 1600, 0f, 1e-5f);
    }

    /** The preset names {@link #preset} accepts. */
    public static List<String> presets() {
        return List.of("tiny", "gpt2", "gpt2-medium", "gpt2-large", "gpt2-xl");
    }

    /** A preset by name: tiny, gpt2, gpt2-medium, gpt2-large, gpt2-xl. */
    public static GptConfig preset(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "tiny" -> tiny();
            case "gpt2" -> gpt2();
            case "gpt2-medium" -> gpt2Medium();
            case "gpt2-large" -> gpt2Large();
            case "gpt2-xl" -> gpt2Xl();
            default -> throw new IllegalArgumentException("unknown model preset '" + name + "'; presets: " + presets());
        };
    }

    @Override
    public String modelType() {
        return "gpt2";
    }

    @Override
    public int kvHeads() {
        return heads;
    }

    /** Width of one attention head. */
    @Override
    public int headSize() {
        return width / heads;
    }

    /** Layernorm outputs, q|k|v, attention and MLP outputs, residuals (about 18·C) plus the attention rows (heads·T). */
    @Override
    public long activationFloatsPerTokenLayer(int time) {
        return 18L * width + (long) heads * time;
    }

    @Override
    public Gpt create(long seed) {
        return Gpt.create(this, seed);
    }

    @Override
    public Gpt allocate(long seed) {
        return Gpt.allocate(this, seed);
    }

    @Override
    public Gpt allocateFrozen(DType dtype, long seed) {
        return Gpt.allocateFrozen(this, dtype, seed);
    }

    @Override
    public WeightShapes weightShapes() {
        return GptWeights.declare(this);
    }

    /** Number of trainable floats (embeddings tied with the output layer). */
    @Override
    public long parameterCount() {
        long c = width;
        long perLayer = 2 * c            // ln_1
                + 3 * c * c + 3 * c      // attn.c_attn
                + c * c + c              // attn.c_proj
                + 2 * c                  // ln_2
                + 4 * c * c + 4 * c      // mlp.c_fc
                + 4 * c * c + c;         // mlp.c_proj
        return (long) vocabSize * c + (long) contextLength * c + layers * perLayer + 2 * c;
    }

    @Override
    public GptConfig withVocabSize(int v) {
        return new GptConfig(v, contextLength, layers, heads, width, dropout, layerNormEps);
    }

    @Override
    public GptConfig withContextLength(int t) {
        return new GptConfig(vocabSize, t, layers, heads, width, dropout, layerNormEps);
    }

    @Override
    public GptConfig withDropout(float p) {
        return new GptConfig(vocabSize, contextLength, layers, heads, width, p, layerNormEps);
    }
}
