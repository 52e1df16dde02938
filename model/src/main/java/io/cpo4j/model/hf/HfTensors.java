package io.cpo4j.model.hf;

import io.cpo4j.engine.DType;
import io.cpo4j.engine.io.FormatException;
import io.cpo4j.engine.io.Json;
import io.cpo4j.engine.io.SafeTensors;
import io.cpo4j.engine.io.TextFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The tensors of a HuggingFace model folder: one {@code model.safetensors}, or shards listed by
 * {@code model.safetensors.index.json} ({@code weight_map}: tensor name → shard file). A shard must
 * be a file directly in the folder; a name that leaves it is refused. F32, F16 and BF16 tensors
 * are read as float32, or into bf16/f16 bits for a half-precision base.
 */
final class HfTensors {

    static final String WEIGHTS = "model.safetensors";
    static final String INDEX = "model.safetensors.index.json";

    private final Map<String, SafeTensors> byName;   // tensor name → the file holding it

    private HfTensors(Map<String, SafeTensors> byName) {
        this.byName = byName;
    }

    /** Whether a folder holds weights in either layout. */
    static boolean present(Path dir) {
        return Files.isRegularFile(dir.resolve(WEIGHTS)) || Files.isRegularFile(dir.resolve(INDEX));
    }

    /** The tensors of a model folder, or of one safetensors file. */
    static HfTensors open(Path dir) throws IOException {
        Path single = Files.isRegularFile(dir) ? dir : dir.resolve(WEIGHTS), index = dir.resolve(INDEX);
        Map<String, SafeTensors> byName = new LinkedHashMap<>();
        if (Files.isRegularFile(single)) {
            SafeTensors st = SafeTensors.open(single);
            for (String n : st.names()) byName.put(n, st);
            return new HfTensors(byName);
        }
        if (!Files.isRegularFile(index)) throw new FormatException(single.toString(), "not found (nor " + INDEX + ")");
        String src = index.toString();
        Map<String, Object> json = Json.parseObject(TextFiles.readUtf8(index), src);
        if (!(json.get("weight_map") instanceof Map<?, ?> map)) throw new FormatException(src, "weight_map must be an object of tensor name → shard file");
        if (map.isEmpty()) throw new FormatException(src, "weight_map is empty");
        Map<String, SafeTensors> shards = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String name = (String) e.getKey();
            if (!(e.getValue() instanceof String file)) throw new FormatException(src, "weight_map.\"" + name + "\" must be a file name, got " + Json.kind(e.getValue()));
            SafeTensors st = shards.get(file);
            if (st == null) {
                Path shard = shardPath(dir, file, name, src);
                if (!Files.isRegularFile(shard)) throw new FormatException(src, "weight_map.\"" + name + "\": shard " + file + " not found");
                st = SafeTensors.open(shard);
                shards.put(file, st);
            }
            if (!st.contains(name)) throw new FormatException(st.file().toString(), "tensor \"" + name + "\" is listed in " + INDEX + " but not in this shard");
            byName.put(name, st);
        }
        return new HfTensors(byName);
    }

    /** A shard name must be a plain file name: no folders, no "..", nothing absolute. */
    private static Path shardPath(Path dir, String file, String tensor, String src) throws FormatException {
        boolean plain = !file.isEmpty() && !file.equals(".") && !file.equals("..") && file.indexOf('/') < 0 && file.indexOf('\\') < 0
                && file.indexOf('\0') < 0 && !file.contains(":");
        if (!plain) throw new FormatException(src, "weight_map.\"" + tensor + "\": shard path \"" + file + "\" leaves the model folder");
        return dir.resolve(file);
    }

    Set<String> names() {
        return byName.keySet();
    }

    SafeTensors.Entry entry(String name) throws FormatException {
        return byName.get(name).entry(name);
    }

    /** The file a tensor is read from, for messages. */
    String source(String name) {
        return byName.get(name).file().toString();
    }

    void readHalf(String name, DType dtype, short[] out, int off) throws IOException {
        SafeTensors st = byName.get(name);
        st.readHalf(st.entry(name), dtype, out, off);
    }

    void readFloats(String name, float[] out, int off) throws IOException {
        SafeTensors st = byName.get(name);
        st.readFloats(st.entry(name), out, off);
    }
}
