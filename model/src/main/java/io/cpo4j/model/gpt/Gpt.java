package io.cpo4j.model.gpt;

import io.cpo4j.engine.Rng;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.nn.Parameters;
import io.cpo4j.engine.ops.F;

/**
 * A GPT-2 language model: token and learned position embeddings, pre-LN transformer blocks
 * (layernorm → causal self-attention → residual; layernorm → 4× MLP with tanh-GELU → residual),
 * a final layernorm, and logits tied to the token embedding.
 *
 * <p>Parameters carry HuggingFace's GPT-2 names without the {@code transformer.} prefix
 * ({@code wte.weight}, {@code h.0.attn.c_attn.weight}, …) and live in one flat buffer. Linear
 * weights are stored as PyTorch's {@code nn.Linear} does, (out, in); HuggingFace's Conv1D files
 * hold (in, out) and are transposed on load and save ({@link HfCheckpoint}).
 */
public final class Gpt {

    private final GptConfig config;
    private final Parameters params;
    private final Rng dropoutRng;
    private boolean training = true;

    private Gpt(GptConfig config, Parameters params, long seed) {
        this.config = config;
        this.params = params;
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
        return new Gpt(config, declare(config).build(), seed);
    }

    /** An independent copy with the same weights (a frozen reference, for example); gradients are not copied. */
    public Gpt copy() {
        Gpt c = allocate(config, 0);
        System.arraycopy(params.values(), 0, c.params.values(), 0, params.count());
        c.dropoutRng.setState(dropoutRng.state());
        c.training = training;
        return c;
    }

    /** Marks every parameter frozen (or trainable again): a frozen model records no graph. */
    public Gpt freeze(boolean frozen) {
        for (Tensor p : params.list()) p.requiresGrad(!frozen);
        return this;
    }

    /** The parameter list of a configuration, in a fixed order. */
    static Parameters.Builder declare(GptConfig c) {
        int v = c.vocabSize(), t = c.contextLength(), w = c.width();
        Parameters.Builder b = Parameters.builder().add("wte.weight", v, w).add("wpe.weight", t, w);
        for (int l = 0; l < c.layers(); l++) {
            String p = "h." + l + ".";
            b.add(p + "ln_1.weight", w).add(p + "ln_1.bias", w)
                    .add(p + "attn.c_attn.weight", 3 * w, w).add(p + "attn.c_attn.bias", 3 * w)
                    .add(p + "attn.c_proj.weight", w, w).add(p + "attn.c_proj.bias", w)
                    .add(p + "ln_2.weight", w).add(p + "ln_2.bias", w)
                    .add(p + "mlp.c_fc.weight", 4 * w, w).add(p + "mlp.c_fc.bias", 4 * w)
                    .add(p + "mlp.c_proj.weight", w, 4 * w).add(p + "mlp.c_proj.bias", w);
        }
        return b.add("ln_f.weight", w).add("ln_f.bias", w);
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

    public GptConfig config() {
        return config;
    }

    public Parameters parameters() {
        return params;
    }

    /** The generator behind dropout masks; its state belongs in a training checkpoint. */
    public Rng dropoutRng() {
        return dropoutRng;
    }

    /** Training mode applies dropout (when the config has any); evaluation mode never does. */
    public void setTraining(boolean training) {
        this.training = training;
    }

    public boolean isTraining() {
        return training;
    }

    private Tensor p(String name) {
        return params.get(name);
    }

    /** Logits (B, T, V) for token ids (B·T, row-major). */
    public Tensor logits(int[] ids, int batch, int time) {
        checkInput(ids, batch, time);
        return F.linear(hidden(ids, batch, time), p("wte.weight"), null);
    }

    /** Mean next-token cross-entropy of the logits of {@code ids} against {@code targets} ({@link F#IGNORE_INDEX} = ignored). */
    public Tensor loss(int[] ids, int[] targets, int batch, int time) {
        if (targets.length != ids.length) {
            throw new IllegalArgumentException("loss: " + ids.length + " inputs but " + targets.length + " targets");
        }
        return F.crossEntropy(logits(ids, batch, time), targets);
    }

    /** The final layer-normalised hidden states (B, T, C). */
    public Tensor hidden(int[] ids, int batch, int time) {
        checkInput(ids, batch, time);
        int[] positions = new int[time];
        for (int t = 0; t < time; t++) positions[t] = t;
        Tensor x = F.add(F.embedding(ids, new int[] {batch, time}, p("wte.weight")),   // (B, T, C)
                F.embedding(positions, new int[] {1, time}, p("wpe.weight")));          // + (1, T, C)
        x = dropout(x);
        for (int l = 0; l < config.layers(); l++) x = block(l, x);
        return F.layerNorm(x, p("ln_f.weight"), p("ln_f.bias"), config.layerNormEps());
    }

    /** One pre-LN transformer block on (B, T, C). */
    private Tensor block(int l, Tensor x) {
        String b = "h." + l + ".";
        float eps = config.layerNormEps();
        Tensor h = F.layerNorm(x, p(b + "ln_1.weight"), p(b + "ln_1.bias"), eps);
        Tensor qkv = F.linear(h, p(b + "attn.c_attn.weight"), p(b + "attn.c_attn.bias"));     // (B, T, 3C)
        Tensor attn = F.linear(F.causalSelfAttention(qkv, config.heads()), p(b + "attn.c_proj.weight"), p(b + "attn.c_proj.bias"));
        x = F.add(x, dropout(attn));
        h = F.layerNorm(x, p(b + "ln_2.weight"), p(b + "ln_2.bias"), eps);
        Tensor m = F.gelu(F.linear(h, p(b + "mlp.c_fc.weight"), p(b + "mlp.c_fc.bias")));        // (B, T, 4C)
        m = F.linear(m, p(b + "mlp.c_proj.weight"), p(b + "mlp.c_proj.bias"));
        return F.add(x, dropout(m));
    }

    private Tensor dropout(Tensor x) {
        return training && config.dropout() > 0f ? F.dropout(x, config.dropout(), dropoutRng) : x;
    }

    private void checkInput(int[] ids, int batch, int time) {
        if (batch <= 0 || time <= 0 || (long) batch * time != ids.length) {
            throw new IllegalArgumentException("GPT input: " + ids.length + " ids do not form a (" + batch + ", " + time + ") batch");
        }
        if (time > config.contextLength()) {
            throw new IllegalArgumentException("GPT input: sequence length " + time + " exceeds the context length " + config.contextLength());
        }
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= config.vocabSize()) {
                throw new IllegalArgumentException("GPT input: token id " + ids[i] + " at position " + i + " is outside the vocabulary [0, " + config.vocabSize() + ")");
            }
        }
    }
}
