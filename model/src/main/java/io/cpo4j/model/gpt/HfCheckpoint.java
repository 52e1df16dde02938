package io.cpo4j.model.gpt;

import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.io.AtomicFiles;
import io.cpo4j.engine.io.FormatException;
import io.cpo4j.engine.io.Json;
import io.cpo4j.engine.io.SafeTensors;
import io.cpo4j.engine.io.TextFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A HuggingFace GPT-2 folder: {@code config.json} + {@code model.safetensors}.
 *
 * <p>Loading accepts F32, F16 and BF16 tensors, keys with or without the {@code transformer.}
 * prefix, Conv1D weights in their (in, out) layout (transposed here to (out, in)), skips the
 * {@code attn.bias} / {@code attn.masked_bias} buffers and the tied {@code lm_head.weight}.
 * Saving writes the same layout HuggingFace writes, so {@code GPT2LMHeadModel.from_pretrained}
 * loads the folder unchanged.
 */
public final class HfCheckpoint {

    public static final String CONFIG = "config.json";
    public static final String WEIGHTS = "model.safetensors";

    private HfCheckpoint() {}

    /** Conv1D weights: stored (in, out) by HuggingFace, (out, in) here. */
    static boolean isConv1dWeight(String name) {
        return name.endsWith("attn.c_attn.weight") || name.endsWith("attn.c_proj.weight")
                || name.endsWith("mlp.c_fc.weight") || name.endsWith("mlp.c_proj.weight");
    }

    private static boolean isBuffer(String name) {
        return name.endsWith(".attn.bias") || name.endsWith(".attn.masked_bias") || name.equals("lm_head.weight");
    }

    /** Reads the config of a folder (or a config.json path). */
    public static GptConfig readConfig(Path dir) throws IOException {
        Path file = Files.isDirectory(dir) ? dir.resolve(CONFIG) : dir;
        if (!Files.exists(file)) throw new FormatException(file.toString(), "not found (a model folder needs " + CONFIG + " and " + WEIGHTS + ")");
        String text = TextFiles.readUtf8(file);
        return HfConfig.fromJson(Json.parseObject(text, file.toString()), file.toString());
    }

    /** Loads a model folder. */
    public static Gpt load(Path dir) throws IOException {
        GptConfig config = readConfig(dir);
        Gpt gpt = Gpt.allocate(config, 0);
        loadWeights(gpt, dir.resolve(WEIGHTS));
        return gpt;
    }

    /** Loads weights from a safetensors file into an existing model of the matching shape. */
    public static void loadWeights(Gpt gpt, Path weights) throws IOException {
        if (!Files.isRegularFile(weights)) throw new FormatException(weights.toString(), "not found");
        SafeTensors st = SafeTensors.open(weights);
        String src = weights.toString();
        Set<String> loaded = new HashSet<>();
        for (String key : st.names()) {
            String name = key.startsWith("transformer.") ? key.substring("transformer.".length()) : key;
            if (isBuffer(name)) continue;
            if (!gpt.parameters().contains(name)) throw new FormatException(src, "unexpected tensor \"" + key + "\" for a GPT-2 of this config");
            if (!loaded.add(name)) throw new FormatException(src, "tensor \"" + name + "\" appears twice (with and without the transformer. prefix)");
            Tensor p = gpt.parameters().get(name);
            SafeTensors.Entry e = st.entry(key);
            int[] expected = isConv1dWeight(name) ? new int[] {p.size(1), p.size(0)} : p.shape();
            if (!java.util.Arrays.equals(e.shape(), expected)) {
                throw new FormatException(src, "tensor \"" + key + "\" has shape " + java.util.Arrays.toString(e.shape())
                        + ", expected " + java.util.Arrays.toString(expected) + " for this config");
            }
            if (isConv1dWeight(name)) {
                float[] inOut = st.floats(key);
                transposeInto(inOut, e.shape()[0], e.shape()[1], p.data(), p.offset());
            } else {
                st.readFloats(e, p.data(), p.offset());
            }
        }
        List<String> missing = new ArrayList<>();
        for (Tensor p : gpt.parameters().list()) if (!loaded.contains(p.name())) missing.add(p.name());
        if (!missing.isEmpty()) throw new FormatException(src, "missing tensors " + missing);
    }

    /** src (rows, cols) row-major → dst (cols, rows) row-major at dstOff. */
    static void transposeInto(float[] src, int rows, int cols, float[] dst, int dstOff) {
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) dst[dstOff + c * rows + r] = src[r * cols + c];
        }
    }

    /** Writes config.json and model.safetensors into {@code dir} (each file atomically). */
    public static void save(Gpt gpt, Path dir, int eosTokenId) throws IOException {
        Files.createDirectories(dir);
        List<SafeTensors.Item> items = new ArrayList<>();
        for (Tensor p : gpt.parameters().list()) {
            String key = "transformer." + p.name();
            if (isConv1dWeight(p.name())) {
                float[] inOut = new float[p.size()];
                transposeInto(java.util.Arrays.copyOfRange(p.data(), p.offset(), p.offset() + p.size()), p.size(0), p.size(1), inOut, 0);
                items.add(SafeTensors.Item.f32(key, new int[] {p.size(1), p.size(0)}, inOut));
            } else {
                items.add(SafeTensors.Item.f32(key, p.shape(), p.data(), p.offset()));
            }
        }
        SafeTensors.write(dir.resolve(WEIGHTS), items, Map.of("format", "pt"));
        AtomicFiles.writeString(dir.resolve(CONFIG), Json.writePretty(HfConfig.toJson(gpt.config(), eosTokenId)));
    }
}
