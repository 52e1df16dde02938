package io.cpo4j.model.hf;

import io.cpo4j.engine.io.FormatException;
import io.cpo4j.engine.io.Json;
import io.cpo4j.model.gpt.GptConfig;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GPT-2 in HuggingFace's layout: {@code GPT2Config} keys, tensors with or without the
 * {@code transformer.} prefix, Conv1D weights (in, out), the {@code attn.bias} masks and the tied
 * {@code lm_head.weight} skipped.
 */
final class GptFormat {

    private GptFormat() {}

    static final TensorNaming NAMING = new TensorNaming() {
        @Override
        public String parameter(String key) {
            String name = key.startsWith("transformer.") ? key.substring("transformer.".length()) : key;
            boolean buffer = name.endsWith(".attn.bias") || name.endsWith(".attn.masked_bias") || name.equals("lm_head.weight");
            return buffer ? null : name;
        }

        @Override
        public String key(String parameter) {
            return "transformer." + parameter;
        }

        @Override
        public boolean transposed(String p) {
            return p.endsWith("attn.c_attn.weight") || p.endsWith("attn.c_proj.weight") || p.endsWith("mlp.c_fc.weight") || p.endsWith("mlp.c_proj.weight");
        }
    };

    /** Reads the GPT-2 keys; unknown keys are ignored, wrong types and impossible values are errors naming the key. */
    static GptConfig config(Map<String, Object> json, String source) throws FormatException {
        Object act = json.get("activation_function");
        if (act != null && !"gelu_new".equals(act) && !"gelu_pytorch_tanh".equals(act)) {
            throw new FormatException(source, "activation_function \"" + act + "\" is not supported (GPT-2 uses gelu_new, the tanh approximation)");
        }
        int vocab = Json.requireInt(json, "vocab_size", 1, Integer.MAX_VALUE, source);
        int ctx = Json.requireInt(json, "n_positions", 1, 1 << 20, source);
        int layers = Json.requireInt(json, "n_layer", 1, 4096, source);
        int heads = Json.requireInt(json, "n_head", 1, 4096, source);
        int width = Json.requireInt(json, "n_embd", 1, 1 << 16, source);
        if (width % heads != 0) throw new FormatException(source, "n_embd (" + width + ") is not a multiple of n_head (" + heads + ")");
        Object inner = json.get("n_inner");
        if (inner != null && !(inner instanceof Long l && l == 4L * width)) {
            throw new FormatException(source, "n_inner is " + inner + "; only the standard 4 × n_embd MLP (" + 4 * width + ") is supported");
        }
        double eps = Json.optionalDouble(json, "layer_norm_epsilon", 1e-5, source);
        double dropout = Json.optionalDouble(json, "resid_pdrop", 0.0, source);
        if (!(eps > 0)) throw new FormatException(source, "layer_norm_epsilon must be positive, got " + eps);
        if (!(dropout >= 0 && dropout < 1)) throw new FormatException(source, "resid_pdrop must be in [0, 1), got " + dropout);
        Object tie = json.get("tie_word_embeddings");
        if (Boolean.FALSE.equals(tie)) throw new FormatException(source, "tie_word_embeddings is false; only tied GPT-2 heads are supported");
        try {
            return new GptConfig(vocab, ctx, layers, heads, width, (float) dropout, (float) eps);
        } catch (IllegalArgumentException e) {
            throw new FormatException(source, e.getMessage());
        }
    }

    /** The keys HuggingFace's {@code GPT2Config} writes, so {@code GPT2LMHeadModel.from_pretrained} loads the folder. */
    static Map<String, Object> json(GptConfig c, int eosTokenId) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model_type", "gpt2");
        m.put("architectures", List.of("GPT2LMHeadModel"));
        m.put("vocab_size", (long) c.vocabSize());
        m.put("n_positions", (long) c.contextLength());
        m.put("n_ctx", (long) c.contextLength());
        m.put("n_embd", (long) c.width());
        m.put("n_layer", (long) c.layers());
        m.put("n_head", (long) c.heads());
        m.put("n_inner", null);
        m.put("layer_norm_epsilon", (double) c.layerNormEps());
        m.put("activation_function", "gelu_new");
        m.put("resid_pdrop", (double) c.dropout());
        m.put("embd_pdrop", (double) c.dropout());
        m.put("attn_pdrop", 0.0);
        m.put("initializer_range", 0.02);
        m.put("scale_attn_weights", true);
        m.put("tie_word_embeddings", true);
        m.put("bos_token_id", (long) eosTokenId);
        m.put("eos_token_id", (long) eosTokenId);
        m.put("torch_dtype", "float32");
        return m;
    }
}
