package io.cpo4j.model.lm;

import io.cpo4j.engine.DType;

import java.util.Locale;

/**
 * What a configuration needs on the heap, estimated before anything is allocated, so that a run
 * that cannot fit is refused with the figures instead of dying mid-run.
 *
 * <p>Parameters: values and gradients (8 bytes each) plus AdamW's two moments (8 more) when
 * training. Activations: every tensor the graph keeps for the backward pass, and their
 * gradients, per token: per layer what the family's config says ({@link
 * ModelConfig#activationFloatsPerTokenLayer}), and V logits at the top. With gradient
 * checkpointing the graph keeps each layer's input (C per token and layer) and, while the backward
 * pass recomputes one block, that block's activations: one layer's worth instead of every layer's.
 * A frozen half-precision base ({@link LanguageModel#toFrozenBase}) holds 2 bytes per matrix
 * element, 4 per norm and bias element, and no gradient buffer.
 */
public record MemoryEstimate(long parameterBytes, long optimizerBytes, long activationBytes) {

    /** Headroom for transient buffers (GEMM packing, broadcast copies, garbage not yet collected). */
    static final double MARGIN = 1.15;

    public long totalBytes() {
        return (long) ((parameterBytes + optimizerBytes + activationBytes) * MARGIN);
    }

    /** Parameters and gradients only (a model loaded for inference or about to be trained). */
    public static MemoryEstimate parameters(ModelConfig c) {
        return new MemoryEstimate(8L * c.parameterCount(), 0, 0);
    }

    /**
     * A frozen base held in {@code dtype}: 2 bytes per matrix element and 4 per norm or bias
     * element for BF16 and F16, no gradients; for F32 its values and the gradient buffer float32
     * parameters always carry (8 bytes each).
     */
    public static MemoryEstimate frozenBase(ModelConfig c, DType dtype) {
        return new MemoryEstimate(dtype.isHalf() ? c.weightShapes().frozenBytes(dtype) : 8L * c.parameterCount(), 0, 0);
    }

    /** One training step on (batch, time) windows with AdamW, every activation stored. */
    public static MemoryEstimate training(ModelConfig c, int batch, int time) {
        return training(c, batch, time, false);
    }

    /** One training step on (batch, time) windows with AdamW, with or without gradient checkpointing. */
    public static MemoryEstimate training(ModelConfig c, int batch, int time, boolean gradientCheckpointing) {
        long tokens = (long) batch * time;
        long perTokenLayer = c.activationFloatsPerTokenLayer(time);
        long blocks = gradientCheckpointing
                ? (long) c.layers() * c.width() + perTokenLayer                // every block's input, one block's activations
                : c.layers() * perTokenLayer;
        long perToken = blocks + 4L * c.width() + 2L * c.vocabSize();
        long activations = 2 * 4 * tokens * perToken;                   // values and their gradients, 4 bytes each
        return new MemoryEstimate(8L * c.parameterCount(), 8L * c.parameterCount(), activations);
    }

    /**
     * This training estimate for a model whose trainable parameters are {@code adapterFloats} LoRA
     * adapter values over a frozen base: the base's values and gradient buffer stay, the adapters
     * add theirs, and AdamW's moments cover only the adapters.
     */
    public MemoryEstimate withAdapters(long adapterFloats) {
        return new MemoryEstimate(parameterBytes + 8L * adapterFloats, 8L * adapterFloats, activationBytes);
    }

    /**
     * This training estimate for {@code adapterFloats} LoRA adapter values over a frozen base of
     * {@code c} held in {@code baseDType} ({@link #frozenBase}): the adapters' values and gradients,
     * AdamW's moments for the adapters alone.
     */
    public MemoryEstimate withAdapters(ModelConfig c, DType baseDType, long adapterFloats) {
        return new MemoryEstimate(frozenBase(c, baseDType).parameterBytes + 8L * adapterFloats, 8L * adapterFloats, activationBytes);
    }

    /** Refuses, with the estimate, what does not fit in {@code Runtime.maxMemory()}. */
    public void requireFits(String what) {
        long max = Runtime.getRuntime().maxMemory();
        if (totalBytes() > max) {
            throw new InsufficientMemoryException(String.format(Locale.ROOT,
                    "%s needs about %s (parameters %s, optimizer %s, activations %s) but the heap allows %s; "
                            + "use a smaller batch or model, %sor raise the heap (e.g. CPO4J_JAVA_OPTS=-Xmx%dg)",
                    what, gib(totalBytes()), gib(parameterBytes), gib(optimizerBytes), gib(activationBytes), gib(max),
                    activationBytes > 0 ? "recompute activations (--gradient-checkpointing, when it is off), " : "",
                    (long) Math.ceil(totalBytes() / (double) (1L << 30)) + 1));
        }
    }

    public static void requireParametersFit(ModelConfig c) {
        if (c.parameterCount() > Integer.MAX_VALUE - 16) {
            throw new InsufficientMemoryException("a model of " + c.parameterCount() + " parameters exceeds one Java array (2^31 floats)");
        }
        parameters(c).requireFits("the model's parameters and gradients");
    }

    static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
    }

    /** A run that would not fit the heap, refused before allocating. */
    public static final class InsufficientMemoryException extends IllegalStateException {
        public InsufficientMemoryException(String message) {
            super(message);
        }
    }
}
