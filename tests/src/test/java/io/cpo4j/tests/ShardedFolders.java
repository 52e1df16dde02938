package io.cpo4j.tests;

import io.cpo4j.engine.io.Json;
import io.cpo4j.engine.io.SafeTensors;
import io.cpo4j.model.hf.HfCheckpoint;
import io.cpo4j.model.llama.LlamaConfig;
import io.cpo4j.model.llama.RopeScaling;
import io.cpo4j.model.lm.LanguageModel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Small Llama-family model folders in HuggingFace's sharded layout, for the parser tests:
 * {@code config.json}, {@code model.safetensors.index.json} and two shards
 * ({@code model-00001-of-00002.safetensors}, {@code model-00002-of-00002.safetensors}).
 */
final class ShardedFolders {

    static final String SHARD_1 = "model-00001-of-00002.safetensors", SHARD_2 = "model-00002-of-00002.safetensors";

    /** A Qwen3-shaped config: q/k norms, head_dim 8 ≠ width / heads, GQA 4/2, tied head; vocabulary 30, context 8. */
    static final LlamaConfig QWEN3 = new LlamaConfig("qwen3", 30, 8, 1, 16, 24, 4, 2, 8, 1e-6f, 1e6, RopeScaling.NONE, false, false, true, true);

    /** A Llama 3 config with every optional field: llama3 rope scaling, an untied head. */
    static final LlamaConfig LLAMA3 = new LlamaConfig("llama", 30, 8, 1, 16, 24, 4, 2, 4, 1e-5f, 5e5, RopeScaling.llama3(8, 1, 4, 64),
            false, false, false, false);

    private ShardedFolders() {}

    /** Writes {@code config} with seeded random weights into {@code dir}, sharded in two; returns the model. */
    static LanguageModel write(LlamaConfig config, Path dir) throws IOException {
        LanguageModel model = config.create(3);
        HfCheckpoint.save(model, dir, 0);
        Path single = dir.resolve(HfCheckpoint.WEIGHTS);
        SafeTensors st = SafeTensors.open(single);
        List<String> names = new ArrayList<>(st.names());
        names.sort(null);
        List<SafeTensors.Item> first = new ArrayList<>(), second = new ArrayList<>();
        Map<String, Object> weightMap = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            String n = names.get(i);
            boolean inFirst = i < names.size() / 2;
            (inFirst ? first : second).add(SafeTensors.Item.f32(n, st.entry(n).shape(), st.floats(n)));
            weightMap.put(n, inFirst ? SHARD_1 : SHARD_2);
        }
        SafeTensors.write(dir.resolve(SHARD_1), first, Map.of("format", "pt"));
        SafeTensors.write(dir.resolve(SHARD_2), second, Map.of("format", "pt"));
        Files.delete(single);
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("metadata", Map.of("total_size", (long) model.parameters().count() * 4));
        index.put("weight_map", weightMap);
        Files.writeString(dir.resolve(HfCheckpoint.INDEX), Json.writePretty(index));
        return model;
    }
}
