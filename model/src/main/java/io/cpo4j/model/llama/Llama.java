package io.cpo4j.model.llama;

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

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A Llama-family language model (Llama, Mistral, Qwen2, Qwen3, SmolLM) with HuggingFace's
 * semantics: token embedding; pre-norm blocks of RMSNorm → grouped-query causal attention with
 * rotary embeddings → residual, RMSNorm → SwiGLU MLP → residual; a final RMSNorm; an output head
 * tied to the embedding or separate.
 *
 * <p>{@link #block} is the one definition of a block: the training forward runs it with the
 * fused causal attention op, and the KV-cache decoder runs it, without a graph, with attention
 * over each sequence's cache.
 *
 * <p>A model with LoRA adapters ({@link #withLora}) is a second {@code Llama} over the same
 * weights whose parameters are its {@link LlamaAdapters}; its base is the plain model it was made from.
 */
public final class Llama implements LanguageModel {

    /** The attention step of a block: rotated q (B, T, H·D), k and v (B, T, KV·D) → (B, T, H·D). */
    interface SelfAttention {
        Tensor attend(int layer, Tensor q, Tensor k, Tensor v);
    }

    private final LlamaConfig config;
    private final Parameters params;        // what trains: every weight, the adapters, or nothing for a half-precision base
    private final FrozenWeights frozen;     // a half-precision base's weights; null when the parameters hold them
    private final LlamaWeights weights;
    private final Rope rope;
    private final Rng dropoutRng;
    private final Llama base;                 // the plain model under the adapters; null without adapters
    private final LlamaAdapters adapters;     // null without adapters
    private boolean training = true;
    private boolean gradientCheckpointing;

    private Llama(LlamaConfig config, Parameters params, FrozenWeights frozen, long seed) {
        this.config = config;
        this.params = params;
        this.frozen = frozen;
        this.weights = LlamaWeights.of(frozen != null ? frozen::get : params::get, config);
        this.rope = new Rope(config.ropeTheta(), config.headSize(), config.ropeScaling(), config.contextLength());
        this.dropoutRng = new Rng(seed ^ 0x5DEECE66DL);
        this.base = null;
        this.adapters = null;
    }

    /** The base's weights (shared) with adapters, which are this model's parameters. */
    private Llama(Llama base, LlamaAdapters adapters) {
        this.config = base.config;
        this.params = adapters.all().parameters();
        this.frozen = base.frozen;
        this.weights = base.weights;
        this.rope = base.rope;
        this.dropoutRng = new Rng(0);
        this.dropoutRng.setState(base.dropoutRng.state());
        this.training = base.training;
        this.base = base;
        this.adapters = adapters;
    }

    /** A model with HuggingFace's initialisation: linear and embedding weights N(0, 0.02), biases 0, norm gains 1. */
    public static Llama create(LlamaConfig config, long seed) {
        Llama model = allocate(config, seed);
        Rng rng = new Rng(seed);
        for (Tensor p : model.params.list()) {
            float[] d = p.data();
            int off = p.offset();
            if (p.name().endsWith("norm.weight")) Arrays.fill(d, off, off + p.size(), 1f);
            else if (!p.name().endsWith(".bias")) for (int i = 0; i < p.size(); i++) d[off + i] = (float) (rng.nextGaussian() * 0.02);
        }
        return model;
    }

    /** A model with all parameters zero, for loading weights into. */
    public static Llama allocate(LlamaConfig config, long seed) {
        MemoryEstimate.requireParametersFit(config);
        return new Llama(config, LlamaWeights.declare(config).parameters(), null, seed);
    }

    /** A frozen model with all weights zero, matrices in {@code dtype} (BF16 or F16), for loading into; see {@link #toFrozenBase}. */
    public static Llama allocateFrozen(LlamaConfig config, DType dtype, long seed) {
        MemoryEstimate.frozenBase(config, dtype).requireFits("the model's " + dtype + " weights");
        return new Llama(config, Parameters.builder().build(), LlamaWeights.declare(config).frozen(dtype), seed);
    }

    @Override
    public Llama freeze(boolean frozen) {
        if (!frozen && this.frozen != null && base == null) {
            throw new IllegalStateException(config.modelType() + ": a " + this.frozen.dtype() + " base cannot train; add LoRA adapters (withLora) or widen it (toFloat32)");
        }
        LanguageModel.super.freeze(frozen);
        return this;
    }

    @Override
    public Llama copy() {
        Llama c;
        if (base != null) {
            c = new Llama(base, LlamaAdapters.of(adapters.all().copy(), weights));      // new adapters over the same frozen base
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
    public Llama withLora(LoraConfig lora, long seed) {
        if (base != null) throw new IllegalStateException("LoRA: this model already has adapters; use withoutAdapters() or mergeAndUnload() first");
        LlamaAdapters a = LlamaAdapters.create(weights, lora, config.modelType(), seed);
        freeze(true);
        return new Llama(this, a);
    }

    @Override
    public Llama withoutAdapters() {
        return base != null ? base : this;
    }

    @Override
    public Optional<LoraConfig> lora() {
        return adapters == null ? Optional.empty() : Optional.of(adapters.all().config());
    }

    @Override
    public Llama mergeAndUnload() {
        if (base == null) return this;
        Llama merged = base.toFloat32();              // a half-precision base is widened: the merged weights are float32
        adapters.all().mergeInto(merged.params);
        return merged;
    }

    @Override
    public LlamaConfig config() {
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
    public Llama toFloat32() {
        return (Llama) LanguageModel.super.toFloat32();
    }

    @Override
    public Llama toFrozenBase(DType dtype) {
        return (Llama) LanguageModel.super.toFrozenBase(dtype);
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

    @Override
    public Decoder decoder() {
        return new LlamaDecoder(this);
    }

    /** The final RMS-normalised hidden states (B, T, C). */
    @Override
    public Tensor hidden(int[] ids, int batch, int time) {
        LanguageModel.checkInput(config, ids, batch, time);
        int[] positions = new int[time];
        for (int t = 0; t < time; t++) positions[t] = t;
        SelfAttention causal = (layer, q, k, v) -> F.causalSelfAttention(q, k, v, config.heads(), config.kvHeads());
        Tensor x = embed(ids, batch, time);                                              // (B, T, C)
        boolean train = training;                      // the recomputation replays this forward, whatever the mode is by then
        for (int l = 0; l < config.layers(); l++) {
            int layer = l;
            x = gradientCheckpointing ? F.checkpoint(in -> block(layer, in, positions, causal, train), x, dropoutRng)
                    : block(l, x, positions, causal, train);
        }
        return finalNorm(x);
    }

    /** Logits (…, V) = hidden · outputᵀ (the embedding when tied). */
    @Override
    public Tensor head(Tensor hidden) {
        return F.linear(hidden, weights.output(), null);
    }

    Tensor embed(int[] ids, int batch, int time) {
        return F.embedding(ids, new int[] {batch, time}, weights.tokenEmbedding());
    }

    Tensor finalNorm(Tensor x) {
        return F.rmsNorm(x, weights.finalNorm(), config.rmsNormEps());
    }

    /**
     * One pre-norm block on x (B, T, C) whose T steps sit at {@code positions}; adapters, when
     * present, add to their projections (with their dropout only while {@code training}).
     */
    Tensor block(int l, Tensor x, int[] positions, SelfAttention attention, boolean training) {
        LlamaWeights.Layer w = weights.layers()[l];
        LlamaAdapters.Layer a = adapters == null ? LlamaAdapters.Layer.NONE : adapters.layers()[l];
        float eps = config.rmsNormEps();
        Tensor[] qkv = queryKeyValue(l, x, positions, training);
        Tensor heads = attention.attend(l, qkv[0], qkv[1], qkv[2]);                      // (B, T, H·D)
        x = F.add(x, adapt(F.linear(heads, w.wo(), w.bo()), heads, a.o(), training));
        Tensor h = F.rmsNorm(x, w.mlpNorm(), eps);
        Tensor[] gateUp = F.linears(h, new Tensor[] {w.gate(), w.up()}, null);
        Tensor m = F.swiglu(adapt(gateUp[0], h, a.gate(), training), adapt(gateUp[1], h, a.up(), training));   // (B, T, I)
        return F.add(x, adapt(F.linear(m, w.down(), null), m, a.down(), training));
    }

    /** Block l's attention inputs from its input x (B, T, C): rotated q (B, T, H·D), rotated k and v (B, T, KV·D). */
    private Tensor[] queryKeyValue(int l, Tensor x, int[] positions, boolean training) {
        LlamaWeights.Layer w = weights.layers()[l];
        LlamaAdapters.Layer a = adapters == null ? LlamaAdapters.Layer.NONE : adapters.layers()[l];
        int d = config.headSize();
        Tensor h = F.rmsNorm(x, w.attentionNorm(), config.rmsNormEps());
        Tensor[] qkv = F.linears(h, new Tensor[] {w.wq(), w.wk(), w.wv()}, new Tensor[] {w.bq(), w.bk(), w.bv()});
        Tensor q = adapt(qkv[0], h, a.q(), training);                                    // (B, T, H·D)
        Tensor k = adapt(qkv[1], h, a.k(), training);                                    // (B, T, KV·D)
        Tensor v = adapt(qkv[2], h, a.v(), training);                                    // (B, T, KV·D)
        if (w.qNorm() != null) {
            q = headNorm(q, w.qNorm(), config.heads());
            k = headNorm(k, w.kNorm(), config.kvHeads());
        }
        Rope.Table table = rope.table(maxPosition(positions) + 1);
        q = F.rotary(q, d, table.cos(), table.sin(), positions);
        k = F.rotary(k, d, table.cos(), table.sin(), positions);
        return new Tensor[] {q, k, v};
    }

    /**
     * Every layer's rotated k and v (N, P, KV·D) of the prefixes; the last layer's attention and
     * MLP are not run, since rows continuing a prefix read only its keys and values.
     */
    @Override
    public SharedPrefixes sharedPrefixes(int[] ids, int[] lengths, int time) {
        SharedPrefixes.checkInput(config, ids, lengths, time);
        int layers = config.layers();
        Tensor[][] kv = new Tensor[layers][];
        if (time > 0) {
            int[] positions = new int[time];
            for (int t = 0; t < time; t++) positions[t] = t;
            Tensor x = embed(ids, lengths.length, time);                                 // (N, P, C)
            boolean train = training;
            SelfAttention keep = (layer, q, k, v) -> {
                kv[layer] = new Tensor[] {k, v};
                return F.causalSelfAttention(q, k, v, config.heads(), config.kvHeads());
            };
            for (int l = 0; l < layers - 1; l++) x = block(l, x, positions, keep, train);
            Tensor[] last = queryKeyValue(layers - 1, x, positions, train);
            kv[layers - 1] = new Tensor[] {last[1], last[2]};
        }
        return new SharedPrefixes(this, lengths, time, kv);
    }

    /**
     * Rows (R, T) after shared prefixes, run as one (1, R·T, C) sequence so that each step gets
     * its own rotary position lengths[prefixOf[r]] + t; attention views them as (R, T, ·) rows
     * over [prefix ; own].
     */
    @Override
    public Tensor hiddenAfterPrefix(SharedPrefixes prefixes, int[] ids, int rows, int time, int[] prefixOf) {
        prefixes.requireFrom(this);
        LanguageModel.checkInput(config, ids, rows, time);
        int[] positions = prefixes.positions(prefixOf, rows, time, config.contextLength());
        int[] lengths = prefixes.lengths();
        int heads = config.heads(), kvHeads = config.kvHeads(), d = config.headSize();
        SelfAttention after = (layer, q, k, v) -> {
            Tensor qr = q.view(rows, time, heads * d), kr = k.view(rows, time, kvHeads * d), vr = v.view(rows, time, kvHeads * d);
            Tensor out = prefixes.time() == 0 ? F.causalSelfAttention(qr, kr, vr, heads, kvHeads)
                    : F.causalSelfAttentionAfterPrefix(qr, kr, vr, prefixes.layer(layer)[0], prefixes.layer(layer)[1], lengths, prefixOf, heads, kvHeads);
            return out.view(1, rows * time, heads * d);
        };
        Tensor x = embed(ids, 1, rows * time);                                           // (1, R·T, C)
        boolean train = training;
        for (int l = 0; l < config.layers(); l++) x = block(l, x, positions, after, train);
        return finalNorm(x).view(rows, time, config.width());
    }

    /** The base projection y of x, plus the adapter's term when the projection has one. */
    private Tensor adapt(Tensor y, Tensor x, LoraLinear lora, boolean training) {
        return lora == null ? y : lora.addTo(y, x, training, dropoutRng);
    }

    /** RMSNorm over each head's D values: (B, T, N·D) viewed as (B, T, N, D). */
    private Tensor headNorm(Tensor x, Tensor weight, int n) {
        int[] s = x.shape();
        int d = config.headSize();
        return F.rmsNorm(x.view(s[0], s[1], n, d), weight, config.rmsNormEps()).view(s[0], s[1], n * d);
    }

    private static int maxPosition(int[] positions) {
        int max = 0;
        for (int p : positions) max = Math.max(max, p);
        return max;
    }
}
