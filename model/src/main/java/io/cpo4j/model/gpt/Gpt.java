package io.cpo4j.model.gpt;

import io.cpo4j.engine.DType;
import io.cpo4j.engine.Rng;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.nn.FrozenWeights;
import io.cpo4j.engine.nn.Parameters;
import io.cpo4j.engine.ops.F;
import io.cpo4j.model.lm.Decoder;
import io.cpo4j.model.lm.LanguageModel;
import io.cpo4j.model.lm.MemoryEstimate;
import io.cpo4j.model.lm.SharedPrefixes;
import io.cpo4j.model.lm.WeightValues;
import io.cpo4j.model.lora.LoraConfig;
import io.cpo4j.model.lora.LoraLinear;

import java.util.List;
import java.util.Optional;

/**
 * A GPT-2 language model: token and learned position embeddings, pre-LN transformer blocks
 * (layernorm → causal self-attention → residual; layernorm → 4× MLP with tanh-GELU → residual),
 * a final layernorm, and logits tied to the token embedding.
 *
 * <p>Parameters live in one flat buffer, named as in HuggingFace's GPT-2 without the
 * {@code transformer.} prefix ({@code wte.weight}, {@code h.0.attn.c_attn.weight}, …), and are
 * read through {@link GptWeights}, typed per layer. Linear weights are stored as PyTorch's
 * {@code nn.Linear} does, (out, in); HuggingFace's Conv1D files hold (in, out) and are transposed
 * by the checkpoint code on load and save.
 *
 * <p>A model with LoRA adapters ({@link #withLora}) is a second {@code Gpt} over the same weights
 * whose parameters are its {@link GptAdapters}; its base is the plain model it was made from.
 */
public final class Gpt implements LanguageModel {

    private final GptConfig config;
    private final Parameters params;        // what trains: every weight, the adapters, or nothing for a half-precision base
    private final FrozenWeights frozen;     // a half-precision base's weights; null when the parameters hold them
    private final GptWeights weights;
    private final Rng dropoutRng;
    private final Gpt base;                 // the plain model under the adapters; null without adapters
    private final GptAdapters adapters;     // null without adapters
    private boolean training = true;
    private boolean gradientCheckpointing;

    private Gpt(GptConfig config, Parameters params, FrozenWeights frozen, long seed) {
        this.config = config;
        this.params = params;
        this.frozen = frozen;
        this.weights = GptWeights.of(frozen != null ? frozen::get : params::get, config.layers());
        this.dropoutRng = new Rng(seed ^ 0x5DEECE66DL);
        this.base = null;
        this.adapters = null;
    }

    /** The base's weights (shared) with adapters, which are this model's parameters. */
    private Gpt(Gpt base, GptAdapters adapters) {
        this.config = base.config;
        this.params = adapters.all().parameters();
        this.frozen = base.frozen;
        this.weights = base.weights;
        this.dropoutRng = new Rng(0);
        this.dropoutRng.setState(base.dropoutRng.state());
        this.training = base.training;
        this.base = base;
        this.adapters = adapters;
    }

    /** A model with GPT-2's initialisation: weights N(0, 0.02), residual projections N(0, 0.02/√(2·layers)), biases 0, layernorm gains 1. */
    public static Gpt create(GptConfig config, long seed) {
        Gpt gpt = allocate(config, seed);
        gpt.initialise(new Rng(seed));
        return gpt;
    }

    /** A model with all parameters zero, for loading weights into. */
    public static Gpt allocate(GptConfig config, long seed) {
        MemoryEstimate.requireParametersFit(config);
        return new Gpt(config, GptWeights.declare(config).parameters(), null, seed);
    }

    /** A frozen model with all weights zero, matrices in {@code dtype} (BF16 or F16), for loading into; see {@link #toFrozenBase}. */
    public static Gpt allocateFrozen(GptConfig config, DType dtype, long seed) {
        MemoryEstimate.frozenBase(config, dtype).requireFits("the model's " + dtype + " weights");
        return new Gpt(config, Parameters.builder().build(), GptWeights.declare(config).frozen(dtype), seed);
    }

    @Override
    public Gpt freeze(boolean frozen) {
        if (!frozen && this.frozen != null && base == null) {
            throw new IllegalStateException(config.modelType() + ": a " + this.frozen.dtype() + " base cannot train; add LoRA adapters (withLora) or widen it (toFloat32)");
        }
        LanguageModel.super.freeze(frozen);
        return this;
    }

    @Override
    public Gpt copy() {
        Gpt c;
        if (base != null) {
            c = new Gpt(base, GptAdapters.of(adapters.all().copy(), weights));      // new adapters over the same frozen base
        } else if (frozen != null) {
            c = allocateFrozen(config, frozen.dtype(), 0);
            WeightValues.copy(frozen.list(), c.frozen.list());
        } else {
            c = allocate(config, 0);
            System.arraycopy(params.values(), 0, c.params.values(), 0, params.count());
        }
        c.dropoutRng.setState(dropoutRng.state());
        c.training = training;
        return c;
    }

    @Override
    public Gpt withLora(LoraConfig lora, long seed) {
        if (base != null) throw new IllegalStateException("LoRA: this model already has adapters; use withoutAdapters() or mergeAndUnload() first");
        GptAdapters a = GptAdapters.create(weights, lora, seed);
        freeze(true);
        return new Gpt(this, a);
    }

    @Override
    public Gpt withoutAdapters() {
        return base != null ? base : this;
    }

    @Override
    public Optional<LoraConfig> lora() {
        return adapters == null ? Optional.empty() : Optional.of(adapters.all().config());
    }

    @Override
    public Gpt mergeAndUnload() {
        if (base == null) return this;
        Gpt merged = base.toFloat32();              // a half-precision base is widened: the merged weights are float32
        adapters.all().mergeInto(merged.params);
        return merged;
    }

    private void initialise(Rng rng) {
        float std = 0.02f, residualStd = (float) (0.02 / Math.sqrt(2.0 * config.layers()));
        for (Tensor p : params.list()) {
            String name = p.name();
            float[] d = p.data();
            int off = p.offset();
            if (name.endsWith(".bias")) continue;
            if (name.contains("ln_")) {
                java.util.Arrays.fill(d, off, off + p.size(), 1f);
                continue;
            }
            float s = name.endsWith("c_proj.weight") ? residualStd : std;
            for (int i = 0; i < p.size(); i++) d[off + i] = (float) (rng.nextGaussian() * s);
        }
    }

    @Override
    public GptConfig config() {
        return config;
    }

    @Override
    public Parameters parameters() {
        return params;
    }

    @Override
    public List<Tensor> weights() {
        if (base != null) return base.weights();
        return frozen != null ? frozen.list() : params.list();
    }

    @Override
    public DType baseDType() {
        return frozen != null ? frozen.dtype() : DType.F32;
    }

    @Override
    public Gpt toFloat32() {
        return (Gpt) LanguageModel.super.toFloat32();
    }

    @Override
    public Gpt toFrozenBase(DType dtype) {
        return (Gpt) LanguageModel.super.toFrozenBase(dtype);
    }

    @Override
    public Rng dropoutRng() {
        return dropoutRng;
    }

    @Override
    public void setTraining(boolean training) {
        this.training = training;
    }

    @Override
    public boolean isTraining() {
        return training;
    }

    @Override
    public void setGradientCheckpointing(boolean enabled) {
        this.gradientCheckpointing = enabled;
    }

    @Override
    public boolean gradientCheckpointing() {
        return gradientCheckpointing;
    }

    /** Logits tied to the token embedding: hidden (…, C) · wteᵀ. */
    @Override
    public Tensor head(Tensor hidden) {
        return F.linear(hidden, weights.tokenEmbedding(), null);
    }

    @Override
    public Decoder decoder() {
        return new GptDecoder(this);
    }

    /** The attention step of a block: the fused q|k|v (B, T, 3C) of layer l → the heads' outputs (B, T, C). */
    interface SelfAttention {
        Tensor attend(int layer, Tensor qkv);
    }

    /** The final layer-normalised hidden states (B, T, C). */
    @Override
    public Tensor hidden(int[] ids, int batch, int time) {
        LanguageModel.checkInput(config, ids, batch, time);
        int[] positions = new int[time];
        for (int t = 0; t < time; t++) positions[t] = t;
        Tensor x = F.add(F.embedding(ids, new int[] {batch, time}, weights.tokenEmbedding()),   // (B, T, C)
                F.embedding(positions, new int[] {1, time}, weights.positionEmbedding()));          // + (1, T, C)
        boolean drop = training && config.dropout() > 0f;
        x = dropout(x, drop);
        SelfAttention causal = (layer, qkv) -> F.causalSelfAttention(qkv, config.heads());
        boolean train = training;                      // the recomputation replays this forward, whatever the mode is by then
        for (int l = 0; l < config.layers(); l++) {
            int layer = l;
            x = gradientCheckpointing ? F.checkpoint(in -> block(layer, in, causal, train), x, dropoutRng) : block(l, x, causal, train);
        }
        return finalNorm(x);
    }

    /** Token plus position embeddings of rows that each sit at their own position: (1, R, C). */
    Tensor embedRows(int[] tokens, int[] positions) {
        int[] shape = {1, tokens.length};
        return F.add(F.embedding(tokens, shape, weights.tokenEmbedding()), F.embedding(positions, shape, weights.positionEmbedding()));
    }

    Tensor finalNorm(Tensor x) {
        return F.layerNorm(x, weights.finalNormWeight(), weights.finalNormBias(), config.layerNormEps());
    }

    /**
     * One pre-LN transformer block on (B, T, C): the one definition the training forward (fused
     * causal attention, dropout while training) and the KV-cache decoder (attention over each
     * sequence's cache, not training) both run. Adapters, when present, add to their projections.
     */
    Tensor block(int l, Tensor x, SelfAttention attention, boolean training) {
        GptWeights.Layer w = weights.layers()[l];
        GptAdapters.Layer a = adapters == null ? GptAdapters.Layer.NONE : adapters.layers()[l];
        boolean drop = training && config.dropout() > 0f;
        float eps = config.layerNormEps();
        Tensor heads = attention.attend(l, qkv(l, x, training));                              // (B, T, C)
        Tensor attn = linear(heads, w.attnOutWeight(), w.attnOutBias(), a.attnProj(), training);
        x = F.add(x, dropout(attn, drop));
        Tensor h = F.layerNorm(x, w.norm2Weight(), w.norm2Bias(), eps);
        Tensor m = F.gelu(linear(h, w.fcWeight(), w.fcBias(), a.fc(), training));              // (B, T, 4C)
        m = linear(m, w.fcOutWeight(), w.fcOutBias(), a.mlpProj(), training);
        return F.add(x, dropout(m, drop));
    }

    /** Block l's fused q|k|v (B, T, 3C) of its input x (B, T, C): layernorm, then the attention's input projection. */
    private Tensor qkv(int l, Tensor x, boolean training) {
        GptWeights.Layer w = weights.layers()[l];
        GptAdapters.Layer a = adapters == null ? GptAdapters.Layer.NONE : adapters.layers()[l];
        Tensor h = F.layerNorm(x, w.norm1Weight(), w.norm1Bias(), config.layerNormEps());
        return linear(h, w.qkvWeight(), w.qkvBias(), a.cAttn(), training);
    }

    /**
     * Every layer's q|k|v (N, P, 3C) of the prefixes; the last layer's attention and MLP are not
     * run, since rows continuing a prefix read only its keys and values.
     */
    @Override
    public SharedPrefixes sharedPrefixes(int[] ids, int[] lengths, int time) {
        SharedPrefixes.checkInput(config, ids, lengths, time);
        int n = lengths.length, layers = config.layers();
        Tensor[][] kv = new Tensor[layers][];
        if (time > 0) {
            int[] positions = new int[time];
            for (int t = 0; t < time; t++) positions[t] = t;
            Tensor x = F.add(F.embedding(ids, new int[] {n, time}, weights.tokenEmbedding()),          // (N, P, C)
                    F.embedding(positions, new int[] {1, time}, weights.positionEmbedding()));
            boolean train = training;
            x = dropout(x, train && config.dropout() > 0f);
            SelfAttention keep = (layer, qkv) -> {
                kv[layer] = new Tensor[] {qkv};
                return F.causalSelfAttention(qkv, config.heads());
            };
            for (int l = 0; l < layers - 1; l++) x = block(l, x, keep, train);
            kv[layers - 1] = new Tensor[] {qkv(layers - 1, x, train)};
        }
        return new SharedPrefixes(this, lengths, time, kv);
    }

    /** Rows (R, T) after shared prefixes: position embeddings at lengths[prefixOf[r]] + t, attention over [prefix ; own]. */
    @Override
    public Tensor hiddenAfterPrefix(SharedPrefixes prefixes, int[] ids, int rows, int time, int[] prefixOf) {
        prefixes.requireFrom(this);
        LanguageModel.checkInput(config, ids, rows, time);
        int[] positions = prefixes.positions(prefixOf, rows, time, config.contextLength());
        int[] shape = {rows, time};
        Tensor x = F.add(F.embedding(ids, shape, weights.tokenEmbedding()), F.embedding(positions, shape, weights.positionEmbedding()));   // (R, T, C)
        boolean train = training;
        x = dropout(x, train && config.dropout() > 0f);
        int[] lengths = prefixes.lengths();
        SelfAttention after = prefixes.time() == 0 ? (layer, qkv) -> F.causalSelfAttention(qkv, config.heads())
                : (layer, qkv) -> F.causalSelfAttentionAfterPrefix(qkv, prefixes.layer(layer)[0], lengths, prefixOf, config.heads());
        for (int l = 0; l < config.layers(); l++) x = block(l, x, after, train);
        return finalNorm(x);
    }

    /** x · Wᵀ + b, plus the adapter's term when the projection has one. */
    private Tensor linear(Tensor x, Tensor weight, Tensor bias, LoraLinear lora, boolean training) {
        Tensor y = F.linear(x, weight, bias);
        return lora == null ? y : lora.addTo(y, x, training, dropoutRng);
    }

    private Tensor dropout(Tensor x, boolean drop) {
        return drop ? F.dropout(x, config.dropout(), dropoutRng) : x;
    }

}
