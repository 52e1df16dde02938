package io.cpo4j.model.gpt;

import io.cpo4j.engine.Rng;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.nn.Parameters;
import io.cpo4j.engine.ops.F;
import io.cpo4j.model.lm.Decoder;
import io.cpo4j.model.lm.LanguageModel;
import io.cpo4j.model.lm.MemoryEstimate;

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
 */
public final class Gpt implements LanguageModel {

    private final GptConfig config;
    private final Parameters params;
    private final GptWeights weights;
    private final Rng dropoutRng;
    private boolean training = true;

    private Gpt(GptConfig config, Parameters params, long seed) {
        this.config = config;
        this.params = params;
        this.weights = GptWeights.of(params, config.layers());
        this.dropoutRng = new Rng(seed ^ 0x5DEECE66DL);
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
        return new Gpt(config, GptWeights.declare(config).build(), seed);
    }

    @Override
    public Gpt freeze(boolean frozen) {
        LanguageModel.super.freeze(frozen);
        return this;
    }

    @Override
    public Gpt copy() {
        Gpt c = allocate(config, 0);
        System.arraycopy(params.values(), 0, c.params.values(), 0, params.count());
        c.dropoutRng.setState(dropoutRng.state());
        c.training = training;
        return c;
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

    /** Logits tied to the token embedding: hidden (…, C) · wteᵀ. */
    @Override
    public Tensor head(Tensor hidden) {
        return F.linear(hidden, weights.tokenEmbedding(), null);
    }

    @Override
    public Decoder decoder() {
        return new GptDecoder(this, weights);
    }

    /** The final layer-normalised hidden states (B, T, C). */
    @Override
    public Tensor hidden(int[] ids, int batch, int time) {
        LanguageModel.checkInput(config, ids, batch, time);
        int[] positions = new int[time];
        for (int t = 0; t < time; t++) positions[t] = t;
        Tensor x = F.add(F.embedding(ids, new int[] {batch, time}, weights.tokenEmbedding()),   // (B, T, C)
                F.embedding(positions, new int[] {1, time}, weights.positionEmbedding()));          // + (1, T, C)
        x = dropout(x);
        for (GptWeights.Layer layer : weights.layers()) x = block(layer, x);
        return F.layerNorm(x, weights.finalNormWeight(), weights.finalNormBias(), config.layerNormEps());
    }

    /** One pre-LN transformer block on (B, T, C). */
    private Tensor block(GptWeights.Layer w, Tensor x) {
        float eps = config.layerNormEps();
        Tensor h = F.layerNorm(x, w.norm1Weight(), w.norm1Bias(), eps);
        Tensor qkv = F.linear(h, w.qkvWeight(), w.qkvBias());                                   // (B, T, 3C)
        Tensor attn = F.linear(F.causalSelfAttention(qkv, config.heads()), w.attnOutWeight(), w.attnOutBias());
        x = F.add(x, dropout(attn));
        h = F.layerNorm(x, w.norm2Weight(), w.norm2Bias(), eps);
        Tensor m = F.gelu(F.linear(h, w.fcWeight(), w.fcBias()));                               // (B, T, 4C)
        m = F.linear(m, w.fcOutWeight(), w.fcOutBias());
        return F.add(x, dropout(m));
    }

    private Tensor dropout(Tensor x) {
        return training && config.dropout() > 0f ? F.dropout(x, config.dropout(), dropoutRng) : x;
    }

}
