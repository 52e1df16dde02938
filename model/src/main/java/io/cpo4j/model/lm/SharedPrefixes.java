package io.cpo4j.model.lm;

import io.cpo4j.engine.Tensor;

/**
 * Prompts run once through a model ({@link LanguageModel#sharedPrefixes}): per layer, the keys and
 * values of N prefixes, right-padded to {@code time} positions, as tensors of the graph (when the
 * forward records one), so that every row continuing a prefix
 * ({@link LanguageModel#logitsAfterPrefix}) reads them and the backward pass sums the rows'
 * gradients into the prefix's activations and from there into the parameters. Bound to the model
 * that computed them: a model with LoRA adapters and its base compute different keys.
 */
public final class SharedPrefixes {

    private final LanguageModel model;
    private final int[] lengths;            // (N): real positions of each prefix, in [0, time]
    private final int time;                 // P: positions after right padding
    private final Tensor[][] layers;        // [layer] the family's keys and values (GPT: {qkv (N, P, 3C)}; Llama: {k, v (N, P, KV·D)}); empty when P = 0

    /** Built by a model family from its own pass over the prefixes. */
    public SharedPrefixes(LanguageModel model, int[] lengths, int time, Tensor[][] layers) {
        this.model = model;
        this.lengths = lengths.clone();
        this.time = time;
        this.layers = layers;
    }

    /** N, the number of prefixes. */
    public int count() {
        return lengths.length;
    }

    /** Each prefix's real positions (N). */
    public int[] lengths() {
        return lengths.clone();
    }

    /** P, the padded length (0 when every prefix is empty: then rows attend to themselves only). */
    public int time() {
        return time;
    }

    /** Layer l's keys and values, as the family laid them out. */
    public Tensor[] layer(int l) {
        return layers[l];
    }

    /** Refuses prefixes computed by another model. */
    public void requireFrom(LanguageModel m) {
        if (m != model) throw new IllegalArgumentException("shared prefixes: computed by another model (a model with adapters and its base are two models)");
    }

    /**
     * Positions (R·T) of rows continuing the prefixes: row r's step t sits at
     * lengths[prefixOf[r]] + t. Steps past the context can only be padding (a caller's real
     * tokens must fit); they are clamped to the last position, and what they compute is never read
     * by an earlier step.
     */
    public int[] positions(int[] prefixOf, int rows, int steps, int contextLength) {
        if (prefixOf.length != rows) throw new IllegalArgumentException("shared prefixes: " + prefixOf.length + " prefix indices for " + rows + " rows");
        int[] positions = new int[rows * steps];
        for (int r = 0; r < rows; r++) {
            int b = prefixOf[r];
            if (b < 0 || b >= count()) throw new IllegalArgumentException("shared prefixes: row " + r + " continues prefix " + b + ", outside [0, " + count() + ")");
            for (int t = 0; t < steps; t++) positions[r * steps + t] = Math.min(lengths[b] + t, contextLength - 1);
        }
        return positions;
    }

    /** Checks prefix ids (N, time) right-padded to time, lengths (N) in [0, time], inside the context and the vocabulary. */
    public static void checkInput(ModelConfig config, int[] ids, int[] lengths, int time) {
        String who = config.modelType() + " shared prefixes";
        if (lengths.length == 0 || time < 0 || (long) lengths.length * time != ids.length) {
            throw new IllegalArgumentException(who + ": " + ids.length + " ids do not form " + lengths.length + " prefixes of " + time + " positions");
        }
        if (time > config.contextLength()) {
            throw new IllegalArgumentException(who + ": length " + time + " exceeds the context length " + config.contextLength());
        }
        for (int b = 0; b < lengths.length; b++) {
            if (lengths[b] < 0 || lengths[b] > time) throw new IllegalArgumentException(who + ": prefix " + b + " has length " + lengths[b] + ", outside [0, " + time + "]");
        }
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= config.vocabSize()) {
                throw new IllegalArgumentException(who + ": token id " + ids[i] + " at position " + i + " is outside the vocabulary [0, " + config.vocabSize() + ")");
            }
        }
    }
}
