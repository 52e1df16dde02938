package io.cpo4j.model.lm;

import io.cpo4j.engine.DType;

/**
 * The shape of a decoder-only language model, whatever its family. Each family's config (a
 * record) implements it and knows how to build its model, so code that only needs the shape —
 * memory estimates, KV caches, context checks — never asks which family it holds.
 */
public interface ModelConfig {

    /** HuggingFace's {@code model_type}: gpt2, llama, mistral, qwen2, qwen3. */
    String modelType();

    int vocabSize();

    /** The longest sequence the model takes (n_positions, max_position_embeddings). */
    int contextLength();

    int layers();

    /** The residual stream's width (n_embd, hidden_size). */
    int width();

    /** Query heads. */
    int heads();

    /** Key/value heads (= {@link #heads()} without grouped-query attention). */
    int kvHeads();

    /** Width of one attention head. */
    int headSize();

    /** Dropout probability while training (0 for families that have none). */
    float dropout();

    /** Number of trainable floats. */
    long parameterCount();

    /** Floats the training graph keeps per token and layer (values; gradients double it) at sequence length {@code time}. */
    long activationFloatsPerTokenLayer(int time);

    ModelConfig withVocabSize(int vocabSize);

    ModelConfig withContextLength(int contextLength);

    ModelConfig withDropout(float dropout);

    /** A model of this shape with the family's initialisation. */
    LanguageModel create(long seed);

    /** A model of this shape with all parameters zero, for loading weights into. */
    LanguageModel allocate(long seed);

    /** The weights' names and shapes in declaration order, nothing allocated. */
    WeightShapes weightShapes();

    /**
     * A frozen model of this shape, all weights zero, for loading into: matrices held in {@code
     * dtype} (BF16 or F16), norms and biases in float32, no parameters and no gradient buffers.
     */
    LanguageModel allocateFrozen(DType dtype, long seed);
}
