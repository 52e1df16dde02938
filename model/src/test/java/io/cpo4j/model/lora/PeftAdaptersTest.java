package io.cpo4j.model.lora;

import io.cpo4j.model.hf.PeftAdapters;
import io.cpo4j.engine.io.FormatException;
import io.cpo4j.engine.io.Json;
import io.cpo4j.engine.io.SafeTensors;
import io.cpo4j.engine.io.TextFiles;
import io.cpo4j.model.hf.HfCheckpoint;
import io.cpo4j.model.lm.LanguageModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static io.cpo4j.model.lora.LoraModels.ids;
import static io.cpo4j.model.lora.LoraModels.logits;
import static io.cpo4j.model.lora.LoraModels.withRandomB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** PEFT's adapter folder: names, shapes and config fields as PEFT writes them, a bit-exact round trip, and bad folders refused in one line. */
class PeftAdaptersTest {

    @TempDir
    Path dir;

    static java.util.stream.Stream<LoraModels.Family> families() {
        return LoraModels.families();
    }

    @Test
    void gpt2FilesHavePeftsKeysShapesAndConfig() throws IOException {
        LoraModels.Family f = LoraModels.families().findFirst().orElseThrow();
        LanguageModel adapted = f.base(1).withLora(new LoraConfig(4, 8f, 0.05f, List.of("c_attn", "c_proj", "c_fc")), 3);
        PeftAdapters.save(adapted, dir, "gpt2");
        SafeTensors st = SafeTensors.open(dir.resolve("adapter_model.safetensors"));
        assertThat(st.names()).hasSize(2 * 4 * 2);
        int c = 16;
        assertThat(st.entry("base_model.model.transformer.h.0.attn.c_attn.lora_A.weight").shape()).containsExactly(4, c);
        assertThat(st.entry("base_model.model.transformer.h.0.attn.c_attn.lora_B.weight").shape()).containsExactly(3 * c, 4);
        assertThat(st.entry("base_model.model.transformer.h.1.attn.c_proj.lora_B.weight").shape()).containsExactly(c, 4);
        assertThat(st.entry("base_model.model.transformer.h.1.mlp.c_fc.lora_B.weight").shape()).containsExactly(4 * c, 4);
        assertThat(st.entry("base_model.model.transformer.h.1.mlp.c_proj.lora_A.weight").shape()).containsExactly(4, 4 * c);
        assertThat(st.metadata()).containsEntry("format", "pt");
        float[] a = st.floats("base_model.model.transformer.h.0.attn.c_attn.lora_A.weight");
        assertThat(a).containsExactly(adapted.parameters().get("h.0.attn.c_attn.lora_A.weight").toArray());

        Map<String, Object> json = config(dir);
        assertThat(json).containsEntry("peft_type", "LORA").containsEntry("task_type", "CAUSAL_LM").containsEntry("r", 4L)
                .containsEntry("lora_alpha", 8L).containsEntry("lora_dropout", 0.05).containsEntry("bias", "none")
                .containsEntry("fan_in_fan_out", true).containsEntry("base_model_name_or_path", "gpt2").containsEntry("inference_mode", true)
                .containsEntry("init_lora_weights", true).containsEntry("use_rslora", false).containsEntry("use_dora", false)
                .containsEntry("modules_to_save", null).containsEntry("layers_to_transform", null).containsEntry("revision", null)
                .containsEntry("rank_pattern", Map.of()).containsEntry("alpha_pattern", Map.of())
                .containsEntry("target_modules", List.of("c_attn", "c_proj", "c_fc"));
        assertThat(new ArrayList<>(json.keySet())).isSorted();
    }

    @Test
    void llamaFilesHavePeftsKeysAndShapes() throws IOException {
        LoraModels.Family f = LoraModels.families().skip(1).findFirst().orElseThrow();
        LanguageModel adapted = f.base(1).withLora(f.lora(0f), 3);
        PeftAdapters.save(adapted, dir, null);
        SafeTensors st = SafeTensors.open(dir.resolve("adapter_model.safetensors"));
        assertThat(st.names()).hasSize(2 * 7 * 2);
        String p = "base_model.model.model.layers.0.";
        assertThat(st.entry(p + "self_attn.q_proj.lora_A.weight").shape()).containsExactly(4, 24);
        assertThat(st.entry(p + "self_attn.q_proj.lora_B.weight").shape()).containsExactly(24, 4);
        assertThat(st.entry(p + "self_attn.k_proj.lora_B.weight").shape()).containsExactly(12, 4);
        assertThat(st.entry(p + "self_attn.o_proj.lora_A.weight").shape()).containsExactly(4, 24);
        assertThat(st.entry(p + "mlp.gate_proj.lora_B.weight").shape()).containsExactly(40, 4);
        assertThat(st.entry(p + "mlp.down_proj.lora_A.weight").shape()).containsExactly(4, 40);
        assertThat(config(dir)).containsEntry("fan_in_fan_out", false).containsEntry("base_model_name_or_path", null).containsEntry("lora_alpha", 8L);
    }

    @ParameterizedTest
    @MethodSource("families")
    void savedAdaptersLoadBackBitForBit(LoraModels.Family f) throws IOException {
        LanguageModel adapted = withRandomB(f.base(1).withLora(new LoraConfig(4, 6.5f, 0.1f, f.modules()), 3), 4);
        PeftAdapters.save(adapted, dir, null);
        LanguageModel loaded = PeftAdapters.load(f.base(1), dir);
        assertThat(loaded.lora()).isEqualTo(adapted.lora());
        assertThat(Arrays.equals(loaded.parameters().values(), adapted.parameters().values())).isTrue();
        int[] ids = ids(2);
        assertThat(Arrays.equals(logits(loaded, ids), logits(adapted, ids))).isTrue();
    }

    @Test
    void mergedModelsSaveAsPlainHuggingFaceFolders() throws IOException {
        LoraModels.Family f = LoraModels.families().skip(1).findFirst().orElseThrow();
        LanguageModel merged = withRandomB(f.base(1).withLora(f.lora(0f), 3), 4).mergeAndUnload();
        HfCheckpoint.save(merged, dir, 0);
        LanguageModel back = HfCheckpoint.load(dir);
        assertThat(Arrays.equals(back.parameters().values(), merged.parameters().values())).isTrue();
        LanguageModel adapted = f.base(1).withLora(f.lora(0f), 3);
        assertThatThrownBy(() -> HfCheckpoint.save(adapted, dir.resolve("x"), 0)).hasMessageContaining("cannot save a model with LoRA adapters as a full folder");
        assertThatThrownBy(() -> HfCheckpoint.loadWeights(adapted, dir)).hasMessageContaining("cannot load weights into a model with LoRA adapters");
    }

    @Test
    void badAdapterFoldersAreRefusedWithTheFileAndTheField() throws IOException {
        LoraModels.Family f = LoraModels.families().findFirst().orElseThrow();
        LanguageModel adapted = f.base(1).withLora(f.lora(0f), 3);
        PeftAdapters.save(adapted, dir, null);
        String cfg = dir.resolve("adapter_config.json").toString(), weights = dir.resolve("adapter_model.safetensors").toString();

        refused(f, dir.resolve("none"), "adapter_config.json: not found");
        refused(f, editConfig(j -> j.put("peft_type", "IA3")), cfg + ": peft_type \"IA3\" is not supported; only LORA");
        refused(f, editConfig(j -> j.put("use_dora", true)), cfg + ": field \"use_dora\" is true: DoRA is not supported");
        refused(f, editConfig(j -> j.put("use_rslora", true)), cfg + ": field \"use_rslora\" is true");
        refused(f, editConfig(j -> j.put("rank_pattern", Map.of("c_attn", 8L))), cfg + ": field \"rank_pattern\" is {\"c_attn\":8}; per-module ranks");
        refused(f, editConfig(j -> j.put("bias", "all")), cfg + ": field \"bias\" is \"all\"");
        refused(f, editConfig(j -> j.put("modules_to_save", List.of("lm_head"))), cfg + ": field \"modules_to_save\"");
        refused(f, editConfig(j -> j.put("target_modules", ".*attn.*")), cfg + ": field \"target_modules\" is the pattern");
        refused(f, editConfig(j -> j.put("target_modules", List.of("c_attn", "q_proj"))), cfg + ": LoRA: target module 'q_proj' is not a GPT-2 projection");
        refused(f, editConfig(j -> j.put("r", 0L)), cfg + ": field \"r\" is 0");
        refused(f, editConfig(j -> j.remove("lora_alpha")), cfg + ": field \"lora_alpha\" must be a number, found null");
        refused(f, editConfig(j -> j.put("r", 8L)), weights + ": tensor \"base_model.model.transformer.h.0.attn.c_attn.lora_A.weight\" has shape [4, 16], expected [8, 16] (r = 8)");
        refused(f, editConfig(j -> j.put("target_modules", List.of("c_attn"))), weights + ": unexpected tensor \"base_model.model.transformer.h.0.attn.c_proj.lora_A.weight\"");

        editConfig(j -> {});
        SafeTensors st = SafeTensors.open(dir.resolve("adapter_model.safetensors"));
        List<SafeTensors.Item> fewer = new ArrayList<>();
        for (String n : st.names()) if (!n.contains("h.1.mlp.c_fc.lora_B")) fewer.add(SafeTensors.Item.f32(n, st.entry(n).shape(), st.floats(n)));
        SafeTensors.write(dir.resolve("adapter_model.safetensors"), fewer, Map.of());
        refused(f, dir, weights + ": missing tensors [base_model.model.transformer.h.1.mlp.c_fc.lora_B.weight]");
    }

    private void refused(LoraModels.Family f, Path folder, String message) {
        LanguageModel base = f.base(1);
        assertThatThrownBy(() -> PeftAdapters.load(base, folder)).isInstanceOf(FormatException.class)
                .hasMessageContaining(message).hasMessageNotContaining("\n");
        assertThat(base.parameters().list()).as("a refused folder leaves the base trainable").allMatch(io.cpo4j.engine.Tensor::requiresGrad);
    }

    /** Rewrites dir's adapter_config.json from the original with one change; returns dir. */
    private Path editConfig(Consumer<Map<String, Object>> change) throws IOException {
        Path file = dir.resolve("adapter_config.json"), original = dir.resolve("original.json");
        if (!Files.exists(original)) Files.copy(file, original);
        Map<String, Object> json = new LinkedHashMap<>(Json.parseObject(TextFiles.readUtf8(original), original.toString()));
        change.accept(json);
        Files.writeString(file, Json.writePretty(json));
        return dir;
    }

    private static Map<String, Object> config(Path dir) throws IOException {
        Path file = dir.resolve("adapter_config.json");
        return Json.parseObject(TextFiles.readUtf8(file), file.toString());
    }
}
