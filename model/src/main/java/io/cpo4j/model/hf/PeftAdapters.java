package io.cpo4j.model.hf;

import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.io.AtomicFiles;
import io.cpo4j.engine.io.FormatException;
import io.cpo4j.engine.io.Json;
import io.cpo4j.engine.io.SafeTensors;
import io.cpo4j.engine.io.TextFiles;
import io.cpo4j.model.lora.LoraAdapters;
import io.cpo4j.model.lora.LoraConfig;
import io.cpo4j.model.lm.LanguageModel;
import io.cpo4j.model.lm.ModelConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * LoRA adapters in PEFT's folder layout, which {@code PeftModel.from_pretrained(base, dir)} loads
 * unchanged: {@code adapter_config.json} (PEFT's {@code LoraConfig} keys) and {@code
 * adapter_model.safetensors}, whose tensors carry PEFT's names, e.g. {@code
 * base_model.model.transformer.h.0.attn.c_attn.lora_A.weight} (r, in) and {@code
 * base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight} (out, r). GPT-2's Conv1D layers
 * get {@code fan_in_fan_out: true}; their adapters keep the (r, in) and (out, r) shapes.
 */
public final class PeftAdapters {

    public static final String CONFIG = "adapter_config.json";
    public static final String WEIGHTS = "adapter_model.safetensors";
    private static final String PREFIX = "base_model.model.";

    private PeftAdapters() {}

    /** Whether a folder holds a PEFT adapter. */
    public static boolean present(Path dir) {
        return Files.isRegularFile(dir.resolve(CONFIG));
    }

    /** Writes the adapters of {@code model} into {@code dir}, each file atomically; {@code baseModel} (may be null) is recorded as base_model_name_or_path. */
    public static void save(LanguageModel model, Path dir, String baseModel) throws IOException {
        LoraConfig lora = model.lora().orElseThrow(() -> new IllegalArgumentException("PEFT: the model has no LoRA adapters to save"));
        Files.createDirectories(dir);
        List<SafeTensors.Item> items = new ArrayList<>();
        for (Tensor p : model.parameters().list()) items.add(SafeTensors.Item.f32(key(model.config(), p.name()), p.shape(), p.data(), p.offset()));
        SafeTensors.write(dir.resolve(WEIGHTS), items, Map.of("format", "pt"));
        AtomicFiles.writeString(dir.resolve(CONFIG), Json.writePretty(configJson(lora, model.config().modelType(), baseModel)));
    }

    /** The adapter_config.json keys PEFT (0.10–0.13) writes, sorted as PEFT sorts them. */
    static Map<String, Object> configJson(LoraConfig lora, String modelType, String baseModel) {
        Map<String, Object> m = new TreeMap<>();
        m.put("alpha_pattern", Map.of());
        m.put("auto_mapping", null);
        m.put("base_model_name_or_path", baseModel);
        m.put("bias", "none");
        m.put("fan_in_fan_out", "gpt2".equals(modelType));
        m.put("inference_mode", true);
        m.put("init_lora_weights", true);
        m.put("layer_replication", null);
        m.put("layers_pattern", null);
        m.put("layers_to_transform", null);
        m.put("loftq_config", Map.of());
        m.put("lora_alpha", number(lora.alpha()));
        m.put("lora_dropout", Double.parseDouble(Float.toString(lora.dropout())));   // a float in PEFT's files, 0.0 too
        m.put("megatron_config", null);
        m.put("megatron_core", "megatron.core");
        m.put("modules_to_save", null);
        m.put("peft_type", "LORA");
        m.put("r", (long) lora.r());
        m.put("rank_pattern", Map.of());
        m.put("revision", null);
        m.put("target_modules", lora.targetModules());
        m.put("task_type", "CAUSAL_LM");
        m.put("use_dora", false);
        m.put("use_rslora", false);
        return m;
    }

    /** lora_alpha as PEFT's files have it: an integer when whole, else the short decimal (6.5, not 6.500000…). */
    private static Object number(float v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? (Object) (long) v : (Object) Double.parseDouble(Float.toString(v));
    }

    /**
     * {@code base} with the adapters of a PEFT folder (sharing, and freezing, its weights). Refuses
     * with the file and field what cpo4j cannot apply exactly (DoRA, rsLoRA, per-layer rank or
     * alpha patterns, trained biases, extra modules) and tensors missing, unexpected or misshapen.
     */
    public static LanguageModel load(LanguageModel base, Path dir) throws IOException {
        if (base.lora().isPresent()) throw new IllegalArgumentException("PEFT: load adapters onto a model without adapters (withoutAdapters())");
        Path configFile = dir.resolve(CONFIG), weightsFile = dir.resolve(WEIGHTS);
        if (!Files.isRegularFile(configFile)) throw new FormatException(configFile.toString(), "not found (a PEFT adapter folder needs " + CONFIG + " and " + WEIGHTS + ")");
        LoraConfig lora = readConfig(configFile);
        if (!Files.isRegularFile(weightsFile)) throw new FormatException(weightsFile.toString(), "not found (the adapter's tensors)");
        SafeTensors st = SafeTensors.open(weightsFile);
        List<Tensor> weights = base.parameters().list();
        boolean[] trainable = new boolean[weights.size()];
        for (int i = 0; i < trainable.length; i++) trainable[i] = weights.get(i).requiresGrad();
        boolean loaded = false;
        try {
            LanguageModel adapted = base.withLora(lora, 0);
            readTensors(st, adapted, lora);
            loaded = true;
            return adapted;
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            throw new FormatException(configFile.toString(), e.getMessage());
        } finally {
            if (!loaded) for (int i = 0; i < trainable.length; i++) weights.get(i).requiresGrad(trainable[i]);   // a refused folder leaves the base as it was
        }
    }

    /** Fills the adapters from the file: every tensor expected, none unexpected, each of its shape. */
    private static void readTensors(SafeTensors st, LanguageModel adapted, LoraConfig lora) throws IOException {
        String src = st.file().toString();
        Map<String, Tensor> expected = new LinkedHashMap<>();
        for (Tensor p : adapted.parameters().list()) expected.put(key(adapted.config(), p.name()), p);
        for (String key : st.names()) {
            Tensor p = expected.get(key);
            if (p == null) throw new FormatException(src, "unexpected tensor \"" + key + "\" for target_modules " + lora.targetModules() + " of this " + adapted.config().modelType() + " model");
            SafeTensors.Entry e = st.entry(key);
            if (!Arrays.equals(e.shape(), p.shape())) {
                throw new FormatException(src, "tensor \"" + key + "\" has shape " + Arrays.toString(e.shape()) + ", expected " + Arrays.toString(p.shape()) + " (r = " + lora.r() + ")");
            }
            st.readFloats(e, p.data(), p.offset());
        }
        List<String> missing = expected.keySet().stream().filter(k -> !st.contains(k)).toList();
        if (!missing.isEmpty()) {
            throw new FormatException(src, "missing tensors " + (missing.size() > 4 ? missing.subList(0, 4) + " and " + (missing.size() - 4) + " more" : missing));
        }
    }

    /** Reads adapter_config.json: the fields cpo4j applies, and refuses the ones it cannot. */
    static LoraConfig readConfig(Path file) throws IOException {
        String src = file.toString();
        Map<String, Object> json = Json.parseObject(TextFiles.readUtf8(file), src);
        String type = Json.requireString(json, "peft_type", src);
        if (!"LORA".equals(type)) throw new FormatException(src, "peft_type \"" + type + "\" is not supported; only LORA");
        refuseIf(json, "use_dora", Boolean.TRUE, "DoRA is not supported", src);
        refuseIf(json, "use_rslora", Boolean.TRUE, "rsLoRA's alpha/√r scaling is not supported", src);
        Object bias = json.get("bias");
        if (bias != null && !"none".equals(bias)) throw new FormatException(src, "field \"bias\" is " + Json.write(bias) + "; only \"none\" (no trained biases) is supported");
        for (String pattern : List.of("rank_pattern", "alpha_pattern")) {
            Object v = json.get(pattern);
            if (v != null && !(v instanceof Map<?, ?> m && m.isEmpty())) {
                throw new FormatException(src, "field \"" + pattern + "\" is " + Json.write(v) + "; per-module ranks and alphas are not supported");
            }
        }
        for (String field : List.of("modules_to_save", "layers_to_transform", "layers_pattern", "layer_replication")) {
            Object v = json.get(field);
            if (v != null && !(v instanceof List<?> l && l.isEmpty())) throw new FormatException(src, "field \"" + field + "\" is " + Json.write(v) + "; only null is supported");
        }
        int r = Json.requireInt(json, "r", 1, 1 << 16, src);
        if (!(json.get("lora_alpha") instanceof Number alpha)) throw new FormatException(src, "field \"lora_alpha\" must be a number, found " + Json.kind(json.get("lora_alpha")));
        double dropout = Json.optionalDouble(json, "lora_dropout", 0.0, src);
        Object targets = json.get("target_modules");
        if (targets instanceof String s) throw new FormatException(src, "field \"target_modules\" is the pattern \"" + s + "\"; list the module names instead");
        if (!(targets instanceof List<?> list)) throw new FormatException(src, "field \"target_modules\" must be a list of module names, found " + Json.kind(targets));
        List<String> names = new ArrayList<>();
        for (Object o : list) {
            if (!(o instanceof String s)) throw new FormatException(src, "field \"target_modules\" holds " + Json.kind(o) + ", not a module name");
            names.add(s);
        }
        try {
            return new LoraConfig(r, alpha.floatValue(), (float) dropout, names);
        } catch (IllegalArgumentException e) {
            throw new FormatException(src, e.getMessage());
        }
    }

    private static void refuseIf(Map<String, Object> json, String field, Object value, String why, String src) throws FormatException {
        if (value.equals(json.get(field))) throw new FormatException(src, "field \"" + field + "\" is " + value + ": " + why);
    }

    /**
     * PEFT's key of an adapter tensor ({@code h.0.attn.c_attn.lora_A.weight}): {@code base_model.model.}
     * + the base weight's HuggingFace module path + {@code .lora_A.weight} or {@code .lora_B.weight}.
     */
    public static String key(ModelConfig config, String adapterTensor) {
        String base = HfCheckpoint.fileKey(config, LoraAdapters.baseWeightName(adapterTensor));
        String module = base.substring(0, base.length() - ".weight".length());
        return PREFIX + module + (adapterTensor.endsWith(".lora_A.weight") ? ".lora_A.weight" : ".lora_B.weight");
    }
}
