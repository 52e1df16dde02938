package io.cpo4j.tests;

import io.cpo4j.engine.io.Json;
import io.cpo4j.engine.io.SafeTensors;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The repository's own parity fixtures are all present, with the tensors the parity tests read.
 * A missing folder, file or tensor FAILS here (it never skips): a fresh clone must run every parity test.
 * Regenerate with {@code /usr/bin/python3 tools/fixtures/generate.py}.
 */
class FixtureFilesTest {

    /** Folder → model_type in its model/config.json. */
    static final Map<String, String> FOLDERS = orderedMap(
            "gpt2-tiny", "gpt2", "llama-gqa", "llama", "mistral-tiny", "mistral", "qwen2-tiny", "qwen2", "qwen3-tiny", "qwen3");

    /** Files every folder holds besides its weights. */
    static final List<String> FILES = List.of("model/config.json", "lm.safetensors", "adamw.safetensors", "greedy.safetensors",
            "reference.safetensors", "contrastive.safetensors");

    /** mistral-tiny stores its model as a bf16 checkpoint in two shards; the others as one model.safetensors. */
    static final List<String> SHARDED = List.of("model/model.safetensors.index.json",
            "model/model-00001-of-00002.safetensors", "model/model-00002-of-00002.safetensors");

    /** Folder → PEFT {@code target_modules} of its LoRA case: an adapter in PEFT's format and what PyTorch computes with it. */
    static final Map<String, List<String>> LORA = Map.of(
            "gpt2-tiny", List.of("c_attn", "c_fc", "c_proj"),
            "llama-gqa", List.of("down_proj", "gate_proj", "k_proj", "o_proj", "q_proj", "up_proj", "v_proj"));

    static final List<String> LORA_FILES = List.of("lora/adapter/adapter_config.json", "lora/adapter/adapter_model.safetensors",
            "lora/expected.safetensors");

    static List<String> weightFiles(String folder) {
        return folder.equals("mistral-tiny") ? SHARDED : List.of("model/model.safetensors");
    }

    @Test
    void theGeneratorAndItsReadmeAreCommitted() {
        assertThat(Fixtures.checkout().resolve("tools/fixtures/generate.py")).isRegularFile();
        assertThat(Fixtures.own().resolve("README.md")).isRegularFile();
    }

    @TestFactory
    Stream<DynamicTest> everyExpectedFileIsThere() {
        return FOLDERS.keySet().stream().flatMap(folder -> Stream.of(FILES, weightFiles(folder), LORA.containsKey(folder) ? LORA_FILES : List.<String>of())
                .flatMap(List::stream)
                .map(file -> DynamicTest.dynamicTest(folder + "/" + file, () -> {
                    Path p = Fixtures.own().resolve(folder).resolve(file);
                    assertThat(p).as("fixture file (regenerate: /usr/bin/python3 tools/fixtures/generate.py)").isRegularFile();
                    assertThat(Files.size(p)).as(p + " size").isPositive();
                })));
    }

    @TestFactory
    Stream<DynamicTest> everyFileHoldsTheTensorsOfItsModel() {
        return FOLDERS.entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> checkTensors(e.getKey(), e.getValue())));
    }

    private static void checkTensors(String folder, String family) throws IOException {
        Path dir = Fixtures.own().resolve(folder);
        Path config = dir.resolve("model/config.json");
        assertThat(Fixtures.family(config)).as(config + " model_type").isEqualTo(family);
        long vocab = Json.requireLong(Json.parseObject(Files.readString(config), config.toString()),
                "vocab_size", config.toString());

        Map<String, int[]> params = modelShapes(dir.resolve("model"), folder);
        assertThat(params).as(folder + " parameters").isNotEmpty();
        SafeTensors reference = SafeTensors.open(dir.resolve("reference.safetensors"));
        assertThat(new TreeSet<>(reference.names())).as("reference.safetensors: the model's names")
                .isEqualTo(new TreeSet<>(modelNames(dir.resolve("model"), folder)));

        SafeTensors lm = SafeTensors.open(dir.resolve("lm.safetensors"));
        int[] batch = lm.entry("input_ids").shape();
        assertThat(batch).hasSize(2);
        assertThat(lm.entry("targets").shape()).isEqualTo(batch);
        assertThat(lm.entry("logits").shape()).isEqualTo(new int[] {batch[0], batch[1], (int) vocab});
        assertThat(lm.entry("loss").shape()).isEqualTo(new int[] {1});
        assertHolds(lm, "grad/", params);

        SafeTensors adamw = SafeTensors.open(dir.resolve("adamw.safetensors"));
        int steps = Integer.parseInt(adamw.metadata().get("steps"));
        assertThat(adamw.entry("losses").shape()).isEqualTo(new int[] {steps});
        assertThat(adamw.entry("grad_norms").shape()).isEqualTo(new int[] {steps});
        assertHolds(adamw, "param/", params);

        SafeTensors greedy = SafeTensors.open(dir.resolve("greedy.safetensors"));
        assertThat(greedy.entry("prompt").shape()[0]).isEqualTo(1);
        assertThat(greedy.entry("generated").shape()[0]).isEqualTo(1);
        assertThat(Double.parseDouble(greedy.metadata().get("min_top2_logit_gap"))).as("greedy has clear winners").isGreaterThan(1e-3);

        SafeTensors contrastive = SafeTensors.open(dir.resolve("contrastive.safetensors"));
        for (String key : List.of("sequences", "prompt_len", "seq_len", "policy_logps", "policy_logps_mean", "reference_logps", "rewards",
                "loss_plain", "loss_ranked", "loss_dpo", "loss_cpo_xu")) {
            assertThat(contrastive.contains(key)).as("contrastive.safetensors has " + key).isTrue();
        }
        assertHolds(contrastive, "grad_plain/", params);
        assertHolds(contrastive, "grad_ranked/", params);
    }

    @TestFactory
    Stream<DynamicTest> everyLoraCaseHoldsTheTensorsOfItsAdapter() {
        return LORA.keySet().stream().sorted().map(folder -> DynamicTest.dynamicTest(folder, () -> checkLora(folder, LORA.get(folder))));
    }

    /**
     * lora/adapter/: PEFT's config (LORA, CAUSAL_LM, r, target_modules) and one lora_A [r, in] and lora_B [out, r] under
     * PEFT's key for every 2-D weight of a block whose module name is a target; lora/expected.safetensors: logits, loss,
     * grad/ and grad_plain/ of every adapter tensor, merged/ of every adapted weight in the model's shape, the contrastive values.
     */
    private static void checkLora(String folder, List<String> targets) throws IOException {
        Path dir = Fixtures.own().resolve(folder);
        Path configFile = dir.resolve("lora/adapter/adapter_config.json");
        Map<String, Object> config = Json.parseObject(Files.readString(configFile), configFile.toString());
        assertThat(Json.requireString(config, "peft_type", configFile.toString())).isEqualTo("LORA");
        assertThat(Json.requireString(config, "task_type", configFile.toString())).isEqualTo("CAUSAL_LM");
        assertThat(config.get("target_modules")).as(configFile + " target_modules").isEqualTo(targets);
        assertThat(config.get("fan_in_fan_out")).as(configFile + " fan_in_fan_out (GPT-2's Conv1D)").isEqualTo(folder.equals("gpt2-tiny"));
        int r = (int) Json.requireLong(config, "r", configFile.toString());

        Map<String, int[]> params = modelShapes(dir.resolve("model"), folder);
        boolean conv1d = folder.equals("gpt2-tiny");
        String prefix = conv1d ? "transformer." : "model.";
        Map<String, int[]> adapter = new LinkedHashMap<>();
        Map<String, int[]> adapted = new LinkedHashMap<>();
        for (var p : params.entrySet()) {
            String name = p.getKey();
            int[] shape = p.getValue();
            String module = name.substring(0, name.length() - ".weight".length());
            if (shape.length != 2 || !name.endsWith(".weight") || !targets.contains(module.substring(module.lastIndexOf('.') + 1))) continue;
            int in = conv1d ? shape[0] : shape[1];
            int out = conv1d ? shape[1] : shape[0];
            adapter.put("base_model.model." + prefix + module + ".lora_A.weight", new int[] {r, in});
            adapter.put("base_model.model." + prefix + module + ".lora_B.weight", new int[] {out, r});
            adapted.put(name, shape);
        }
        assertThat(adapted).as(folder + " adapted weights").hasSize(conv1d ? 8 : 14);

        SafeTensors weights = SafeTensors.open(dir.resolve("lora/adapter/adapter_model.safetensors"));
        assertThat(new TreeSet<>(weights.names())).as(weights.file() + " names").isEqualTo(new TreeSet<>(adapter.keySet()));
        for (var a : adapter.entrySet()) assertThat(weights.entry(a.getKey()).shape()).as(a.getKey() + " shape").isEqualTo(a.getValue());

        SafeTensors expected = SafeTensors.open(dir.resolve("lora/expected.safetensors"));
        SafeTensors lm = SafeTensors.open(dir.resolve("lm.safetensors"));
        assertThat(expected.entry("logits").shape()).isEqualTo(lm.entry("logits").shape());
        assertThat(expected.entry("loss").shape()).isEqualTo(new int[] {1});
        assertHolds(expected, "grad/", adapter);
        assertHolds(expected, "grad_plain/", adapter);
        assertHolds(expected, "merged/", adapted);
        for (String key : List.of("input_ids", "targets", "sequences", "prompt_len", "seq_len", "policy_logps", "reference_logps", "rewards", "loss_plain")) {
            assertThat(expected.contains(key)).as("lora/expected.safetensors has " + key).isTrue();
        }
        assertThat(Integer.parseInt(expected.metadata().get("r"))).as("lora/expected.safetensors metadata r").isEqualTo(r);
    }

    /** {@code st} holds prefix + name with the parameter's shape for every parameter. */
    private static void assertHolds(SafeTensors st, String prefix, Map<String, int[]> params) throws IOException {
        for (var p : params.entrySet()) {
            String key = prefix + p.getKey();
            assertThat(st.contains(key)).as(st.file().getFileName() + " has " + key).isTrue();
            assertThat(st.entry(key).shape()).as(key + " shape").isEqualTo(p.getValue());
        }
        long count = st.names().stream().filter(n -> n.startsWith(prefix)).count();
        assertThat(count).as(st.file().getFileName() + ": tensors under " + prefix).isEqualTo(params.size());
    }

    /** Parameter name (HF name without transformer. / model.) → shape, from model.safetensors or the shards of the index. */
    private static Map<String, int[]> modelShapes(Path model, String folder) throws IOException {
        Map<String, int[]> out = new LinkedHashMap<>();
        for (Path file : weightPaths(model, folder)) {
            SafeTensors st = SafeTensors.open(file);
            for (String n : new TreeSet<>(st.names())) out.put(withoutPrefix(n), st.entry(n).shape());
        }
        return out;
    }

    private static List<String> modelNames(Path model, String folder) throws IOException {
        List<String> names = new java.util.ArrayList<>();
        for (Path file : weightPaths(model, folder)) names.addAll(SafeTensors.open(file).names());
        return names;
    }

    /** The weight files; for a sharded checkpoint, every shard the index names, each tensor in the shard the index says. */
    private static List<Path> weightPaths(Path model, String folder) throws IOException {
        Path index = model.resolve("model.safetensors.index.json");
        if (!folder.equals("mistral-tiny")) return List.of(model.resolve("model.safetensors"));
        Map<String, Object> json = Json.parseObject(Files.readString(index), index.toString());
        assertThat(json.get("weight_map")).as(index + " weight_map").isInstanceOf(Map.class);
        Map<?, ?> map = (Map<?, ?>) json.get("weight_map");
        TreeSet<String> shards = new TreeSet<>();
        for (var e : map.entrySet()) shards.add((String) e.getValue());
        assertThat(shards).as(index + " shards").containsExactly("model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors");
        for (var e : map.entrySet()) {
            assertThat(SafeTensors.open(model.resolve((String) e.getValue())).contains((String) e.getKey()))
                    .as(e.getValue() + " holds " + e.getKey()).isTrue();
        }
        return shards.stream().map(model::resolve).toList();
    }

    private static String withoutPrefix(String hfName) {
        if (hfName.startsWith("transformer.")) return hfName.substring("transformer.".length());
        if (hfName.startsWith("model.")) return hfName.substring("model.".length());
        return hfName;
    }

    private static Map<String, String> orderedMap(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }
}
