package io.cpo4j.model.hf;

import io.cpo4j.engine.DType;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.io.AtomicFiles;
import io.cpo4j.engine.io.FormatException;
import io.cpo4j.engine.io.Json;
import io.cpo4j.engine.io.SafeTensors;
import io.cpo4j.engine.io.TextFiles;
import io.cpo4j.model.gpt.GptConfig;
import io.cpo4j.model.llama.LlamaConfig;
import io.cpo4j.model.lm.LanguageModel;
import io.cpo4j.model.lm.MemoryEstimate;
import io.cpo4j.model.lm.ModelConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A HuggingFace model folder: {@code config.json} and the weights, in one
 * {@code model.safetensors} or in shards listed by {@code model.safetensors.index.json}. The
 * family is read from {@code model_type}: gpt2, llama, mistral, qwen2 and qwen3 are recognised.
 *
 * <p>Loading accepts F32, F16 and BF16 tensors and names the file and tensor of anything missing,
 * unexpected or of the wrong shape; {@link #load(Path, DType)} reads the matrices straight into a
 * frozen bfloat16 or float16 base, as {@code from_pretrained(torch_dtype=torch.bfloat16)}, never
 * through a float32 copy of the model. Saving writes float32 weights and the config keys
 * HuggingFace's own classes write, so {@code AutoModelForCausalLM.from_pretrained} loads the
 * folder unchanged.
 */
public final class HfCheckpoint {

    public static final String CONFIG = "config.json";
    public static final String WEIGHTS = HfTensors.WEIGHTS;
    public static final String INDEX = HfTensors.INDEX;

    /** The {@code model_type} values this loader understands. */
    public static final List<String> MODEL_TYPES = List.of("gpt2", "llama", "mistral", "qwen2", "qwen3");

    private HfCheckpoint() {}

    /** Whether a folder holds weights (one file or an index of shards). */
    public static boolean hasWeights(Path dir) {
        return HfTensors.present(dir);
    }

    /** Reads the config of a folder (or a config.json path). */
    public static ModelConfig readConfig(Path dir) throws IOException {
        Path file = Files.isDirectory(dir) ? dir.resolve(CONFIG) : dir;
        if (!Files.exists(file)) throw new FormatException(file.toString(), "not found (a model folder needs " + CONFIG + " and " + WEIGHTS + ")");
        String src = file.toString();
        return config(Json.parseObject(TextFiles.readUtf8(file), src), src);
    }

    /** A config from config.json's keys; the family from model_type (a file without one is read as GPT-2, as older GPT-2 folders are). */
    public static ModelConfig config(Map<String, Object> json, String source) throws FormatException {
        Object type = json.get("model_type");
        if (type == null || "gpt2".equals(type)) return GptFormat.config(json, source);
        if (type instanceof String t && LlamaConfig.MODEL_TYPES.contains(t)) return LlamaFormat.config(t, json, source);
        throw new FormatException(source, "model_type " + (type instanceof String ? "\"" + type + "\"" : Json.kind(type))
                + " is not supported; supported: " + String.join(", ", MODEL_TYPES));
    }

    /** The config.json keys of a config, as HuggingFace writes them. */
    public static Map<String, Object> configJson(ModelConfig config, int bosTokenId, int eosTokenId) {
        return switch (config) {
            case GptConfig g -> GptFormat.json(g, eosTokenId);
            case LlamaConfig l -> LlamaFormat.json(l, bosTokenId, eosTokenId);
            default -> throw new IllegalArgumentException("no HuggingFace format for " + config.getClass().getSimpleName());
        };
    }

    /** Loads a model folder. */
    public static LanguageModel load(Path dir) throws IOException {
        return load(dir, DType.F32);
    }

    /**
     * Loads a model folder with its matrices in {@code dtype} (HuggingFace's {@code
     * from_pretrained(torch_dtype=…)}): F32 gives a trainable model; BF16 or F16 a frozen base
     * (see {@link LanguageModel#toFrozenBase}) read tensor by tensor into half precision (copied
     * when the file holds that format, rounded to nearest even otherwise), norms and biases in float32.
     */
    public static LanguageModel load(Path dir, DType dtype) throws IOException {
        ModelConfig config = readConfig(dir);
        LanguageModel model;
        try {
            model = dtype.isHalf() ? config.allocateFrozen(dtype, 0) : config.allocate(0);
        } catch (MemoryEstimate.InsufficientMemoryException e) {
            // A config.json may declare any size: name the file and its sizes, not just the heap.
            Path file = Files.isDirectory(dir) ? dir.resolve(CONFIG) : dir;
            throw new FormatException(file.toString(), String.format(Locale.ROOT, "declares a %s of %d parameters (vocab_size %d, width %d, %d layers): %s",
                    config.modelType(), config.parameterCount(), config.vocabSize(), config.width(), config.layers(), e.getMessage()));
        }
        loadWeights(model, dir);
        return model;
    }

    private static TensorNaming naming(ModelConfig config) {
        return switch (config) {
            case GptConfig g -> GptFormat.NAMING;
            case LlamaConfig l -> LlamaFormat.naming(l);
            default -> throw new IllegalArgumentException("no HuggingFace format for " + config.getClass().getSimpleName());
        };
    }

    /** The tensor name a parameter has in HuggingFace's files. */
    public static String fileKey(ModelConfig config, String parameter) {
        return naming(config).key(parameter);
    }

    /** Whether HuggingFace's files hold the parameter transposed, (in, out). */
    public static boolean storedTransposed(ModelConfig config, String parameter) {
        return naming(config).transposed(parameter);
    }

    /** Loads the weights of a folder (or of one safetensors file) into a model of the matching shape, float32 or a half-precision base. */
    public static void loadWeights(LanguageModel model, Path dir) throws IOException {
        requireNoAdapters(model, "load weights into");
        HfTensors tensors = HfTensors.open(dir);
        TensorNaming naming = naming(model.config());
        String family = model.config().modelType();
        Map<String, Tensor> weights = new LinkedHashMap<>();
        for (Tensor w : model.weights()) weights.put(w.name(), w);
        Set<String> loaded = new HashSet<>();
        for (String key : tensors.names()) {
            String src = tensors.source(key);
            String name = naming.parameter(key);
            if (name == null) continue;
            if (!weights.containsKey(name)) throw new FormatException(src, "unexpected tensor \"" + key + "\" for a " + family + " model of this config");
            if (!loaded.add(name)) throw new FormatException(src, "tensor \"" + key + "\" loads into " + name + ", which an earlier tensor already filled");
            Tensor p = weights.get(name);
            SafeTensors.Entry e = tensors.entry(key);
            boolean transposed = naming.transposed(name);
            int[] expected = transposed ? new int[] {p.size(1), p.size(0)} : p.shape();
            if (!Arrays.equals(e.shape(), expected)) {
                throw new FormatException(src, "tensor \"" + key + "\" has shape " + Arrays.toString(e.shape())
                        + ", expected " + Arrays.toString(expected) + " for this config");
            }
            if (p.isHalf() && transposed) {
                short[] inOut = new short[p.size()];
                tensors.readHalf(key, p.dtype(), inOut, 0);
                transposeInto(inOut, e.shape()[0], e.shape()[1], p.halfData(), p.offset());
            } else if (p.isHalf()) {
                tensors.readHalf(key, p.dtype(), p.halfData(), p.offset());
            } else if (transposed) {
                float[] inOut = new float[p.size()];
                tensors.readFloats(key, inOut, 0);
                transposeInto(inOut, e.shape()[0], e.shape()[1], p.data(), p.offset());
            } else {
                tensors.readFloats(key, p.data(), p.offset());
            }
        }
        List<String> missing = new ArrayList<>();
        for (Tensor p : weights.values()) if (!loaded.contains(p.name())) missing.add(naming.key(p.name()));
        if (!missing.isEmpty()) {
            Path where = Files.isRegularFile(dir) ? dir : Files.isRegularFile(dir.resolve(WEIGHTS)) ? dir.resolve(WEIGHTS) : dir.resolve(INDEX);
            throw new FormatException(where.toString(), "missing tensors " + (missing.size() > 8 ? missing.subList(0, 8) + " and " + (missing.size() - 8) + " more" : missing));
        }
    }

    /** A model with LoRA adapters has only them as parameters: a full folder needs them merged first. */
    private static void requireNoAdapters(LanguageModel model, String what) {
        if (model.lora().isPresent()) {
            throw new IllegalArgumentException("cannot " + what + " a model with LoRA adapters as a full folder: use mergeAndUnload() for merged weights, "
                    + "PeftAdapters for the adapters, or withoutAdapters() for the base");
        }
    }

    /** src (rows, cols) row-major → dst (cols, rows) row-major at dstOff. */
    static void transposeInto(float[] src, int rows, int cols, float[] dst, int dstOff) {
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) dst[dstOff + c * rows + r] = src[r * cols + c];
        }
    }

    /** src (rows, cols) row-major → dst (cols, rows) row-major at dstOff: half-precision bits, moved as they are. */
    static void transposeInto(short[] src, int rows, int cols, short[] dst, int dstOff) {
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) dst[dstOff + c * rows + r] = src[r * cols + c];
        }
    }

    /** Writes config.json and model.safetensors into {@code dir} (each file atomically); bos = eos for GPT-2. */
    public static void save(LanguageModel model, Path dir, int eosTokenId) throws IOException {
        save(model, dir, eosTokenId, eosTokenId);
    }

    /** Writes config.json and model.safetensors into {@code dir} (each file atomically); a half-precision base is written widened, exactly, to float32. */
    public static void save(LanguageModel model, Path dir, int bosTokenId, int eosTokenId) throws IOException {
        requireNoAdapters(model, "save");
        Files.createDirectories(dir);
        TensorNaming naming = naming(model.config());
        List<SafeTensors.Item> items = new ArrayList<>();
        for (Tensor p : model.weights()) {
            String key = naming.key(p.name());
            if (p.isHalf()) p = p.widen().named(p.name());
            if (naming.transposed(p.name())) {
                float[] inOut = new float[p.size()];
                transposeInto(Arrays.copyOfRange(p.data(), p.offset(), p.offset() + p.size()), p.size(0), p.size(1), inOut, 0);
                items.add(SafeTensors.Item.f32(key, new int[] {p.size(1), p.size(0)}, inOut));
            } else {
                items.add(SafeTensors.Item.f32(key, p.shape(), p.data(), p.offset()));
            }
        }
        SafeTensors.write(dir.resolve(WEIGHTS), items, Map.of("format", "pt"));
        saveConfig(model.config(), dir, bosTokenId, eosTokenId);
    }

    /** Writes config.json alone into {@code dir} (atomically): beside a LoRA adapter, which holds no base weights. */
    public static void saveConfig(ModelConfig config, Path dir, int bosTokenId, int eosTokenId) throws IOException {
        Files.createDirectories(dir);
        AtomicFiles.writeString(dir.resolve(CONFIG), Json.writePretty(configJson(config, bosTokenId, eosTokenId)));
    }
}
