package io.cpo4j.model.hf;

import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.io.FormatException;
import io.cpo4j.engine.io.Json;
import io.cpo4j.engine.io.SafeTensors;
import io.cpo4j.model.llama.Llama;
import io.cpo4j.model.llama.LlamaConfig;
import io.cpo4j.model.llama.RopeScaling;
import io.cpo4j.model.lm.LanguageModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Llama-family folders in HuggingFace's layout: names, config keys, shards, and what is refused. */
class LlamaCheckpointTest {

    static final LlamaConfig QWEN2 = new LlamaConfig("qwen2", 40, 16, 2, 16, 24, 4, 2, 4, 1e-6f, 1e6, RopeScaling.NONE, true, false, false, true);
    static final LlamaConfig LLAMA = new LlamaConfig("llama", 40, 16, 2, 16, 24, 4, 2, 4, 1e-5f, 5e5, RopeScaling.llama3(32, 1, 4, 8), false, false, false, false);
    static final LlamaConfig QWEN3 = new LlamaConfig("qwen3", 40, 16, 2, 16, 24, 4, 1, 8, 1e-6f, 1e6, RopeScaling.NONE, false, false, true, true);

    @TempDir
    Path dir;

    @Test
    void saveThenLoadGivesTheSameModelWithHuggingFacesNamesAndKeys() throws IOException {
        for (LlamaConfig c : List.of(QWEN2, LLAMA, QWEN3)) {
            Path d = dir.resolve(c.modelType());
            Llama a = Llama.create(c, 7);
            HfCheckpoint.save(a, d, 1, 2);
            LanguageModel b = HfCheckpoint.load(d);
            assertThat(b.config()).isEqualTo(c);
            assertThat(java.util.Arrays.equals(b.parameters().values(), a.parameters().values())).as(c.modelType() + " weights").isTrue();
            SafeTensors st = SafeTensors.open(d.resolve("model.safetensors"));
            assertThat(st.names()).contains("model.embed_tokens.weight", "model.layers.1.self_attn.k_proj.weight", "model.layers.0.mlp.gate_proj.weight",
                    "model.layers.0.post_attention_layernorm.weight", "model.norm.weight");
            assertThat(st.names().contains("lm_head.weight")).isEqualTo(!c.tiedEmbeddings());
            assertThat(st.names().contains("model.layers.0.self_attn.q_proj.bias")).isEqualTo(c.qkvBias());
            assertThat(st.names().contains("model.layers.0.self_attn.q_norm.weight")).isEqualTo(c.qkNorm());
            assertThat(st.entry("model.layers.0.self_attn.k_proj.weight").shape()).containsExactly(c.kvHeads() * c.headSize(), c.width());
            Map<String, Object> json = Json.parseObject(Files.readString(d.resolve("config.json")), "config.json");
            assertThat(json).containsEntry("model_type", c.modelType()).containsEntry("num_key_value_heads", (long) c.kvHeads())
                    .containsEntry("head_dim", (long) c.headSize()).containsEntry("tie_word_embeddings", c.tiedEmbeddings())
                    .containsEntry("bos_token_id", 1L).containsEntry("eos_token_id", 2L);
        }
    }

    @Test
    void shardsListedByTheIndexLoadLikeOneFile() throws IOException {
        Llama a = Llama.create(LLAMA, 3);
        List<SafeTensors.Item> first = new ArrayList<>(), second = new ArrayList<>();
        Map<String, Object> weightMap = new LinkedHashMap<>();
        for (Tensor p : a.parameters().list()) {
            String key = HfCheckpoint.fileKey(LLAMA, p.name());
            boolean one = key.contains("layers.0.") || key.contains("embed");
            (one ? first : second).add(SafeTensors.Item.f32(key, p.shape(), p.data(), p.offset()));
            weightMap.put(key, one ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors");
        }
        Files.createDirectories(dir);
        SafeTensors.write(dir.resolve("model-00001-of-00002.safetensors"), first, Map.of("format", "pt"));
        SafeTensors.write(dir.resolve("model-00002-of-00002.safetensors"), second, Map.of("format", "pt"));
        Files.writeString(dir.resolve("model.safetensors.index.json"), Json.write(Map.of("metadata", Map.of(), "weight_map", weightMap)));
        Files.writeString(dir.resolve("config.json"), Json.write(HfCheckpoint.configJson(LLAMA, 1, 2)));
        assertThat(HfCheckpoint.hasWeights(dir)).isTrue();
        LanguageModel b = HfCheckpoint.load(dir);
        assertThat(java.util.Arrays.equals(b.parameters().values(), a.parameters().values())).isTrue();

        // A shard path that leaves the folder is refused before anything is opened.
        weightMap.put("model.norm.weight", "../elsewhere.safetensors");
        Files.writeString(dir.resolve("model.safetensors.index.json"), Json.write(Map.of("weight_map", weightMap)));
        assertThatThrownBy(() -> HfCheckpoint.load(dir)).isInstanceOf(FormatException.class)
                .hasMessageContaining("model.safetensors.index.json").hasMessageContaining("\"model.norm.weight\": shard path \"../elsewhere.safetensors\" leaves the model folder");
        weightMap.put("model.norm.weight", "model-00003-of-00002.safetensors");
        Files.writeString(dir.resolve("model.safetensors.index.json"), Json.write(Map.of("weight_map", weightMap)));
        assertThatThrownBy(() -> HfCheckpoint.load(dir)).hasMessageContaining("shard model-00003-of-00002.safetensors not found");
        weightMap.put("model.norm.weight", "model-00001-of-00002.safetensors");
        Files.writeString(dir.resolve("model.safetensors.index.json"), Json.write(Map.of("weight_map", weightMap)));
        assertThatThrownBy(() -> HfCheckpoint.load(dir)).hasMessageContaining("model-00001-of-00002.safetensors")
                .hasMessageContaining("tensor \"model.norm.weight\" is listed in model.safetensors.index.json but not in this shard");
        weightMap.remove("model.norm.weight");
        Files.writeString(dir.resolve("model.safetensors.index.json"), Json.write(Map.of("weight_map", weightMap)));
        assertThatThrownBy(() -> HfCheckpoint.load(dir)).hasMessageContaining("missing tensors [model.norm.weight]");
    }

    @Test
    void configsAreReadWithHuggingFacesDefaultsAndUnsupportedFeaturesAreNamed() throws IOException {
        Map<String, Object> json = new LinkedHashMap<>(HfCheckpoint.configJson(QWEN3, 0, 0));
        json.remove("head_dim");
        json.remove("num_key_value_heads");
        json.remove("tie_word_embeddings");
        LlamaConfig read = (LlamaConfig) HfCheckpoint.config(json, "config.json");
        assertThat(read.headSize()).isEqualTo(4);             // hidden_size / heads
        assertThat(read.kvHeads()).isEqualTo(4);              // = heads
        assertThat(read.tiedEmbeddings()).isFalse();          // HF's default
        assertThat(read.qkNorm()).isTrue();

        Map<String, Object> mistral = new LinkedHashMap<>(HfCheckpoint.configJson(LLAMA, 0, 0));
        mistral.put("model_type", "mistral");
        mistral.put("max_position_embeddings", 32768L);
        mistral.put("sliding_window", 4096L);
        assertThat(HfCheckpoint.config(mistral, "c").contextLength()).isEqualTo(4096);

        for (Object[] bad : new Object[][] {
                {"hidden_act", "gelu", "hidden_act \"gelu\" is not supported"},
                {"rope_scaling", Map.of("rope_type", "yarn", "factor", 4.0), "rope_scaling type \"yarn\" is not supported (supported: linear, llama3, default)"},
                {"num_key_value_heads", 3L, "num_key_value_heads (3) does not divide num_attention_heads (4)"},
                {"head_dim", 5L, "head_dim 5 is odd"},
                {"rms_norm_eps", -1.0, "rms_norm_eps must be in (0, 1)"},
                {"tie_word_embeddings", "yes", "tie_word_embeddings must be true or false"},
                {"vocab_size", 1e12, "vocab_size"},
                {"mlp_bias", true, "mlp_bias true is not supported"}}) {
            Map<String, Object> m = new LinkedHashMap<>(HfCheckpoint.configJson(LLAMA, 0, 0));
            m.put((String) bad[0], bad[1]);
            assertThatThrownBy(() -> HfCheckpoint.config(m, "dir/config.json")).as((String) bad[0]).isInstanceOf(FormatException.class)
                    .hasMessageStartingWith("dir/config.json: ").hasMessageContaining((String) bad[2]);
        }
    }
}
