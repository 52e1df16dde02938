package io.cpo4j.model.hf;

import io.cpo4j.engine.io.FormatException;
import io.cpo4j.engine.io.Json;
import io.cpo4j.model.llama.LlamaConfig;
import io.cpo4j.model.llama.RopeScaling;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Llama family in HuggingFace's layout: {@code LlamaConfig}, {@code MistralConfig},
 * {@code Qwen2Config} and {@code Qwen3Config} keys, and the {@code model.layers.N.self_attn.q_proj}
 * style tensor names, mapped to the model's own names.
 */
final class LlamaFormat {

    private LlamaFormat() {}

    /** HF name piece ↔ own name piece, inside {@code model.layers.N.} / {@code layers.N.}. */
    private static final String[][] LAYER_NAMES = {
            {"input_layernorm.weight", "attention_norm.weight"},
            {"self_attn.q_proj.weight", "attention.wq.weight"}, {"self_attn.q_proj.bias", "attention.wq.bias"},
            {"self_attn.k_proj.weight", "attention.wk.weight"}, {"self_attn.k_proj.bias", "attention.wk.bias"},
            {"self_attn.v_proj.weight", "attention.wv.weight"}, {"self_attn.v_proj.bias", "attention.wv.bias"},
            {"self_attn.q_norm.weight", "attention.q_norm.weight"}, {"self_attn.k_norm.weight", "attention.k_norm.weight"},
            {"self_attn.o_proj.weight", "attention.wo.weight"}, {"self_attn.o_proj.bias", "attention.wo.bias"},
            {"post_attention_layernorm.weight", "ffn_norm.weight"},
            {"mlp.gate_proj.weight", "feed_forward.w1.weight"}, {"mlp.up_proj.weight", "feed_forward.w3.weight"},
            {"mlp.down_proj.weight", "feed_forward.w2.weight"},
    };

    static TensorNaming naming(LlamaConfig config) {
        return new TensorNaming() {
            @Override
            public String parameter(String key) {
                if (key.equals("model.embed_tokens.weight")) return "tok_embeddings.weight";
                if (key.equals("model.norm.weight")) return "norm.weight";
                if (key.equals("lm_head.weight")) return config.tiedEmbeddings() ? null : "output.weight";   // some tied checkpoints carry a copy
                if (key.endsWith(".rotary_emb.inv_freq")) return null;                                        // a buffer older checkpoints saved
                if (key.startsWith("model.layers.")) {
                    int dot = key.indexOf('.', "model.layers.".length());
                    if (dot > 0) {
                        String layer = key.substring("model.layers.".length(), dot), rest = key.substring(dot + 1);
                        for (String[] n : LAYER_NAMES) if (n[0].equals(rest)) return "layers." + layer + "." + n[1];
                    }
                }
                return key;   // unknown: the loader reports it as unexpected
            }

            @Override
            public String key(String parameter) {
                if (parameter.equals("tok_embeddings.weight")) return "model.embed_tokens.weight";
                if (parameter.equals("norm.weight")) return "model.norm.weight";
                if (parameter.equals("output.weight")) return "lm_head.weight";
                int dot = parameter.indexOf('.', "layers.".length());
                String layer = parameter.substring("layers.".length(), dot), rest = parameter.substring(dot + 1);
                for (String[] n : LAYER_NAMES) if (n[1].equals(rest)) return "model.layers." + layer + "." + n[0];
                throw new IllegalArgumentException("no HuggingFace name for parameter " + parameter);
            }
        };
    }

    /** Reads a Llama-family config.json; unsupported features are refused by key. */
    static LlamaConfig config(String type, Map<String, Object> json, String src) throws FormatException {
        Object act = json.get("hidden_act");
        if (act != null && !"silu".equals(act)) throw new FormatException(src, "hidden_act \"" + act + "\" is not supported (the Llama family uses silu)");
        if (Boolean.TRUE.equals(json.get("mlp_bias"))) throw new FormatException(src, "mlp_bias true is not supported");
        Object partial = json.get("partial_rotary_factor");
        if (partial != null && !(partial instanceof Number n && n.doubleValue() == 1.0)) {
            throw new FormatException(src, "partial_rotary_factor " + partial + " is not supported (rotary on the whole head only)");
        }
        int vocab = Json.requireInt(json, "vocab_size", 1, Integer.MAX_VALUE, src);
        int context = Json.requireInt(json, "max_position_embeddings", 1, 1 << 24, src);
        int layers = Json.requireInt(json, "num_hidden_layers", 1, 4096, src);
        int width = Json.requireInt(json, "hidden_size", 1, 1 << 16, src);
        int inner = Json.requireInt(json, "intermediate_size", 1, 1 << 18, src);
        int heads = Json.requireInt(json, "num_attention_heads", 1, 4096, src);
        int kvHeads = json.get("num_key_value_heads") == null ? heads : Json.requireInt(json, "num_key_value_heads", 1, 4096, src);
        if (heads % kvHeads != 0) throw new FormatException(src, "num_key_value_heads (" + kvHeads + ") does not divide num_attention_heads (" + heads + ")");
        int headDim;
        if (json.get("head_dim") != null) headDim = Json.requireInt(json, "head_dim", 2, 1 << 12, src);
        else if (width % heads != 0) throw new FormatException(src, "hidden_size (" + width + ") is not a multiple of num_attention_heads (" + heads + ") and head_dim is not given");
        else headDim = width / heads;
        if (headDim % 2 != 0) throw new FormatException(src, "head_dim " + headDim + " is odd; rotary embeddings need pairs");
        double eps = Json.optionalDouble(json, "rms_norm_eps", 1e-6, src);
        if (!(eps > 0 && eps < 1)) throw new FormatException(src, "rms_norm_eps must be in (0, 1), got " + eps);
        double theta = Json.optionalDouble(json, "rope_theta", 10000, src);
        if (!(theta > 1 && theta < 1e12)) throw new FormatException(src, "rope_theta must be in (1, 1e12), got " + theta);
        RopeScaling scaling = ropeScaling(json.get("rope_scaling"), src);
        boolean tied = json.get("tie_word_embeddings") != null && requireBoolean(json, "tie_word_embeddings", src);   // HF's default: untied
        boolean attentionBias = json.get("attention_bias") != null && requireBoolean(json, "attention_bias", src);
        boolean qkvBias, outputBias, qkNorm = type.equals("qwen3");
        switch (type) {
            case "qwen2" -> { qkvBias = true; outputBias = false; }
            case "mistral" -> { qkvBias = false; outputBias = false; }
            default -> { qkvBias = attentionBias; outputBias = attentionBias; }
        }
        if ((type.equals("qwen2") || type.equals("qwen3")) && Boolean.TRUE.equals(json.get("use_sliding_window"))) {
            throw new FormatException(src, "use_sliding_window true is not supported");
        }
        if (type.equals("mistral") && json.get("sliding_window") != null) {
            int window = Json.requireInt(json, "sliding_window", 1, 1 << 24, src);
            context = Math.min(context, window);   // within its window, sliding-window attention is plain causal attention
        }
        try {
            return new LlamaConfig(type, vocab, context, layers, width, inner, heads, kvHeads, headDim, (float) eps, theta, scaling,
                    qkvBias, outputBias, qkNorm, tied);
        } catch (IllegalArgumentException e) {
            throw new FormatException(src, e.getMessage());
        }
    }

    private static boolean requireBoolean(Map<String, Object> json, String key, String src) throws FormatException {
        if (!(json.get(key) instanceof Boolean b)) throw new FormatException(src, key + " must be true or false, got " + Json.kind(json.get(key)));
        return b;
    }

    private static RopeScaling ropeScaling(Object value, String src) throws FormatException {
        if (value == null) return RopeScaling.NONE;
        if (!(value instanceof Map<?, ?> raw)) throw new FormatException(src, "rope_scaling must be an object or null, got " + Json.kind(value));
        @SuppressWarnings("unchecked") Map<String, Object> m = (Map<String, Object>) raw;
        Object type = m.get("rope_type") != null ? m.get("rope_type") : m.get("type");
        if ("default".equals(type)) return RopeScaling.NONE;
        double factor = Json.optionalDouble(m, "factor", Double.NaN, src + " rope_scaling");
        if (!(factor > 0 && factor < 1e6)) throw new FormatException(src, "rope_scaling.factor must be in (0, 1e6), got " + m.get("factor"));
        if ("linear".equals(type)) return RopeScaling.linear(factor);
        if ("llama3".equals(type)) {
            double low = Json.optionalDouble(m, "low_freq_factor", Double.NaN, src + " rope_scaling");
            double high = Json.optionalDouble(m, "high_freq_factor", Double.NaN, src + " rope_scaling");
            int original = Json.requireInt(m, "original_max_position_embeddings", 1, 1 << 24, src + " rope_scaling");
            if (!(low > 0 && high > low)) throw new FormatException(src, "rope_scaling needs 0 < low_freq_factor < high_freq_factor, got " + low + ", " + high);
            return RopeScaling.llama3(factor, low, high, original);
        }
        throw new FormatException(src, "rope_scaling type \"" + type + "\" is not supported (supported: linear, llama3, default)");
    }

    /** The keys HuggingFace's config class of the type writes, so {@code AutoModelForCausalLM.from_pretrained} loads the folder. */
    static Map<String, Object> json(LlamaConfig c, int bosTokenId, int eosTokenId) {
        Map<String, Object> m = new LinkedHashMap<>();
        String arch = switch (c.modelType()) {
            case "mistral" -> "MistralForCausalLM";
            case "qwen2" -> "Qwen2ForCausalLM";
            case "qwen3" -> "Qwen3ForCausalLM";
            default -> "LlamaForCausalLM";
        };
        m.put("model_type", c.modelType());
        m.put("architectures", List.of(arch));
        m.put("vocab_size", (long) c.vocabSize());
        m.put("max_position_embeddings", (long) c.contextLength());
        m.put("hidden_size", (long) c.width());
        m.put("intermediate_size", (long) c.hiddenSize());
        m.put("num_hidden_layers", (long) c.layers());
        m.put("num_attention_heads", (long) c.heads());
        m.put("num_key_value_heads", (long) c.kvHeads());
        m.put("head_dim", (long) c.headSize());
        m.put("hidden_act", "silu");
        m.put("rms_norm_eps", (double) c.rmsNormEps());
        m.put("rope_theta", c.ropeTheta());
        m.put("rope_scaling", switch (c.ropeScaling().type()) {
            case NONE -> null;
            case LINEAR -> Map.of("rope_type", "linear", "factor", c.ropeScaling().factor());
            case LLAMA3 -> {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("rope_type", "llama3");
                r.put("factor", c.ropeScaling().factor());
                r.put("low_freq_factor", c.ropeScaling().lowFreqFactor());
                r.put("high_freq_factor", c.ropeScaling().highFreqFactor());
                r.put("original_max_position_embeddings", (long) c.ropeScaling().originalContextLength());
                yield r;
            }
        });
        if (c.modelType().equals("llama") || c.modelType().equals("qwen3")) m.put("attention_bias", c.qkvBias());
        if (c.modelType().equals("llama")) m.put("mlp_bias", false);
        if (c.modelType().equals("mistral")) m.put("sliding_window", null);
        if (c.modelType().startsWith("qwen")) m.put("use_sliding_window", false);
        m.put("attention_dropout", 0.0);
        m.put("initializer_range", 0.02);
        m.put("tie_word_embeddings", c.tiedEmbeddings());
        m.put("use_cache", true);
        m.put("bos_token_id", (long) bosTokenId);
        m.put("eos_token_id", (long) eosTokenId);
        m.put("torch_dtype", "float32");
        return m;
    }
}
