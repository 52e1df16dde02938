package io.cpo4j.model.lm;

import io.cpo4j.engine.DType;
import io.cpo4j.engine.Rng;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.nn.Parameters;
import io.cpo4j.engine.ops.F;
import io.cpo4j.model.lora.LoraConfig;

import java.util.List;
import java.util.Optional;

/**
 * A decoder-only causal language model: what training, scoring, generation and the command line
 * use, whether the model is a GPT-2 or a Llama. Parameters live in one flat buffer; the forward
 * pass records a graph for the backward pass unless the model is frozen or evaluated under
 * {@code Autograd.noGrad()}.
 *
 * <p>A frozen base ({@link #toFrozenBase}, or {@code HfCheckpoint.load(dir, DType.BF16)}) holds
 * its matrices in bfloat16 or float16 and has no parameters: it generates, scores and carries
 * LoRA adapters ({@link #withLora}), which are then the only thing that trains.
 */
public interface LanguageModel {

    ModelConfig config();

    /** What trains: every weight of a float32 model, the adapters of an adapted one, nothing for a half-precision base. */
    Parameters parameters();

    /**
     * The base model's weights by name, in declaration order (PyTorch's {@code state_dict()}
     * without adapters): the parameters of a float32 model, the frozen tensors of a half-precision
     * one, the base's for a model with adapters.
     */
    List<Tensor> weights();

    /** How the base's matrices are held: F32, or BF16 / F16 for a {@link #toFrozenBase} model (norms and biases stay F32). */
    default DType baseDType() {
        return DType.F32;
    }

    /**
     * A frozen copy of this model for use as a LoRA base (PEFT's base loaded with {@code
     * torch_dtype=torch.bfloat16}): with BF16 or F16 its matrices (linear weights, embeddings) are
     * rounded to nearest even into half the bytes and read by the kernels as they are, never
     * widened into a float32 copy; norms and biases stay float32. It has no parameters and no
     * gradient buffers. With F32, a frozen float32 copy.
     */
    default LanguageModel toFrozenBase(DType dtype) {
        requireNoAdapters("toFrozenBase");
        LanguageModel frozen = dtype.isHalf() ? config().allocateFrozen(dtype, 0) : config().allocate(0).freeze(true);
        WeightValues.copy(weights(), frozen.weights());
        frozen.dropoutRng().setState(dropoutRng().state());
        frozen.setTraining(isTraining());
        return frozen;
    }

    /** A trainable float32 copy of this model (PyTorch's {@code model.float()}): a half-precision base's values widened exactly. */
    default LanguageModel toFloat32() {
        requireNoAdapters("toFloat32");
        LanguageModel widened = config().allocate(0);
        WeightValues.copy(weights(), widened.weights());
        widened.dropoutRng().setState(dropoutRng().state());
        widened.setTraining(isTraining());
        return widened;
    }

    private void requireNoAdapters(String what) {
        if (lora().isPresent()) throw new IllegalStateException(what + ": this model has LoRA adapters; use withoutAdapters() for the base or mergeAndUnload()");
    }

    /** Logits (B, T, V) for token ids (B·T, row-major). */
    default Tensor logits(int[] ids, int batch, int time) {
        return head(hidden(ids, batch, time));
    }

    /** The final normalised hidden states (B, T, C). */
    Tensor hidden(int[] ids, int batch, int time);

    /** Logits (…, V) of hidden states (…, C): the language-model head. */
    Tensor head(Tensor hidden);

    /**
     * Runs N prompts once (right-padded to {@code time}; lengths (N) their real positions, 0 allowed)
     * and keeps each layer's keys and values, for rows that continue them: K candidates of one
     * prompt then share its forward and, through the graph, its backward ({@link #logitsAfterPrefix}).
     * Dropout, in training mode, draws one mask for the shared positions. Runs without activation
     * recomputation. A family without it refuses.
     */
    default SharedPrefixes sharedPrefixes(int[] ids, int[] lengths, int time) {
        throw new UnsupportedOperationException(config().modelType() + ": shared-prefix forward is not implemented");
    }

    /**
     * Logits (R, T, V) of rows that continue shared prefixes: row r (ids (R·T), right-padded)
     * continues prefix prefixOf[r]; its step t sits at position lengths[prefixOf[r]] + t and attends
     * to the prefix's real positions and to its own steps 0..t — the logits of the same tokens
     * run behind the prefix in one row, without computing the prefix again. The prediction of a
     * continuation's first token comes from the prefix's last position: to score it, end the
     * prefix one token early and start the row with that token.
     */
    default Tensor logitsAfterPrefix(SharedPrefixes prefixes, int[] ids, int rows, int time, int[] prefixOf) {
        return head(hiddenAfterPrefix(prefixes, ids, rows, time, prefixOf));
    }

    /** The final normalised hidden states (R, T, C) of {@link #logitsAfterPrefix}. */
    default Tensor hiddenAfterPrefix(SharedPrefixes prefixes, int[] ids, int rows, int time, int[] prefixOf) {
        throw new UnsupportedOperationException(config().modelType() + ": shared-prefix forward is not implemented");
    }

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
