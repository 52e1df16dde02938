package io.cpo4j.model.lm;

/**
 * A model's forward pass for inference with a KV cache: no graph, no dropout. Several sequences
 * advance together, each at its own position with its own cache, so prompts of different lengths
 * need no padding and no mask.
 *
 * <p>Reads the model's weights and writes only the caches and its own buffers: one decoder per
 * thread lets one model serve concurrent generations.
 */
public interface Decoder {

    ModelConfig config();

    default KvCache newCache(int capacity) {
        return new KvCache(config(), capacity);
    }

    /**
     * Appends {@code tokens[s]} to {@code caches[s]} for every sequence s and returns logits:
     * (S, V) for the last new token of each sequence, or, with {@code allPositions}, (R, V) for
     * every new token in order (R = total new tokens).
     */
    float[] forward(KvCache[] caches, int[][] tokens, boolean allPositions);

    /** Checks the new tokens against the caches and the vocabulary; returns R, the number of new tokens. */
    static int checkStep(ModelConfig config, KvCache[] caches, int[][] tokens) {
        if (caches.length != tokens.length) throw new IllegalArgumentException("decoder: " + caches.length + " caches but " + tokens.length + " token lists");
        int rows = 0, v = config.vocabSize();
        for (int s = 0; s < caches.length; s++) {
            if (tokens[s].length == 0) throw new IllegalArgumentException("decoder: sequence " + s + " has no new tokens");
            if (caches[s].length + tokens[s].length > caches[s].capacity) {
                throw new IllegalArgumentException("decoder: sequence " + s + " would reach position " + (caches[s].length + tokens[s].length)
                        + ", beyond its cache of " + caches[s].capacity + " (context length " + config.contextLength() + ")");
            }
            for (int tok : tokens[s]) {
                if (tok < 0 || tok >= v) throw new IllegalArgumentException("decoder: token id " + tok + " is outside the vocabulary [0, " + v + ")");
            }
            rows += tokens[s].length;
        }
        return rows;
    }
}
