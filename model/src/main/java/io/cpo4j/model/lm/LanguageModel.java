package io.cpo4j.model.lm;

import io.cpo4j.engine.Rng;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.nn.Parameters;
import io.cpo4j.engine.ops.F;
import io.cpo4j.model.lora.LoraConfig;

import java.util.Optional;

/**
 * A decoder-only causal language model: what training, scoring, generation and the command line
 * use, whether the model is a GPT-2 or a Llama. Parameters live in one flat buffer; the forward
 * pass records a graph for the backward pass unless the model is frozen or evaluated under
 * {@code Autograd.noGrad()}.
 */
public interface LanguageModel {

    ModelConfig config();

    Parameters parameters();

    /** Logits (B, T, V) for token ids (B·T, row-major). */
    default Tensor logits(int[] ids, int batch, int time) {
        return head(hidden(ids, batch, time));
    }

    /** The final normalised hidden states (B, T, C). */
    Tensor hidden(int[] ids, int batch, int time);

    /** Logits (…, V) of hidden states (…, C): the language-model head. */
    Tensor head(Tensor hidden);

    /** Mean next-token cross-entropy of the logits of {@code ids} against {@code targets} ({@link F#IGNORE_INDEX} = ignored). */
    default Tensor loss(int[] ids, int[] targets, int batch, int time) {
        if (targets.length != ids.length) {
            throw new IllegalArgumentException("loss: " + ids.length + " inputs but " + targets.length + " targets");
        }
        return F.crossEntropy(logits(ids, batch, time), targets);
    }

    /** The no-graph forward pass with a KV cache, for generation. Cheap; one per thread. */
    Decoder decoder();

    /**
     * An independent copy with the same weights (a frozen reference, for example); gradients are
     * not copied. A model with adapters copies its adapters and shares its frozen base.
     */
    LanguageModel copy();

    /** Marks every parameter frozen (or trainable again): a frozen model records no graph. */
    default LanguageModel freeze(boolean frozen) {
        for (Tensor p : parameters().list()) p.requiresGrad(!frozen);
        return this;
    }

    /**
     * This model with LoRA adapters on the projections {@code config} names (PEFT's {@code
     * get_peft_model}): a model that shares these weights — not copied, and frozen from now on —
     * whose {@link #parameters()} are the adapters alone, so training it trains only them. A is
     * drawn from {@code seed} and B is zero, so it starts equal to this model. Its {@link
     * #decoder()} applies the adapters; {@link #withoutAdapters()} gives this model back.
     */
    default LanguageModel withLora(LoraConfig config, long seed) {
        throw new UnsupportedOperationException("LoRA is not supported for " + config().modelType() + " models");
    }

    /**
     * The base model with the adapters switched off, sharing the same weights (PEFT's {@code
     * disable_adapter()}): the reference model of LoRA training at no memory cost. A model
     * without adapters returns itself.
     */
    default LanguageModel withoutAdapters() {
        return this;
    }

    /** The adapters' configuration; empty for a model without adapters. */
    default Optional<LoraConfig> lora() {
        return Optional.empty();
    }

    /**
     * A new model without adapters whose weights are W + (alpha / r)·B A (PEFT's {@code
     * merge_and_unload()}), to save as a plain model folder. A model without adapters returns itself.
     */
    default LanguageModel mergeAndUnload() {
        return this;
    }

    /** The generator behind dropout masks; its state belongs in a training checkpoint. */
    Rng dropoutRng();

    /** Training mode applies dropout (when the config has any); evaluation mode never does. */
    void setTraining(boolean training);

    boolean isTraining();

    /**
     * Activation recomputation per block (HuggingFace's {@code gradient_checkpointing_enable()}):
     * training keeps each block's input only and recomputes a block's activations in the backward
     * pass, with the same dropout masks, so the gradients are bit-identical. A family without it refuses.
     */
    default void setGradientCheckpointing(boolean enabled) {
        if (enabled) throw new UnsupportedOperationException(config().modelType() + ": gradient checkpointing is not implemented");
    }

    /** Whether {@link #setGradientCheckpointing} is on. */
    default boolean gradientCheckpointing() {
        return false;
    }

    /** Checks that ids form a (batch, time) batch inside the context and the vocabulary. */
    static void checkInput(ModelConfig config, int[] ids, int batch, int time) {
        String who = config.modelType() + " input";
        if (batch <= 0 || time <= 0 || (long) batch * time != ids.length) {
            throw new IllegalArgumentException(who + ": " + ids.length + " ids do not form a (" + batch + ", " + time + ") batch");
        }
        if (time > config.contextLength()) {
            throw new IllegalArgumentException(who + ": sequence length " + time + " exceeds the context length " + config.contextLength());
        }
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= config.vocabSize()) {
                throw new IllegalArgumentException(who + ": token id " + ids[i] + " at position " + i + " is outside the vocabulary [0, " + config.vocabSize() + ")");
            }
        }
    }
}
