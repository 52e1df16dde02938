package io.cpo4j.tests;

import io.cpo4j.engine.io.FormatException;
import io.cpo4j.engine.io.Json;
import io.cpo4j.engine.io.SafeTensors;
import io.cpo4j.model.hf.HfCheckpoint;
import io.cpo4j.model.lm.LanguageModel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A sharded Llama-family folder made hostile one way at a time: each must end in a
 * {@link FormatException} whose message starts with the file at fault and names the field —
 * never another exception, never a large allocation. The CLI prints that message as its one line.
 */
class HostileModelFolderTest {

    @TempDir
    Path dir;

    Path model, index;
    LanguageModel written;

    @BeforeEach
    void writeAShardedQwen3() throws IOException {
        model = dir.resolve("model");
        written = ShardedFolders.write(ShardedFolders.QWEN3, model);
        index = model.resolve(HfCheckpoint.INDEX);
    }

    @Test
    void theValidFolderLoadsTheSameWeights() throws IOException {
        LanguageModel loaded = HfCheckpoint.load(model);
        assertThat(loaded.config()).isEqualTo(ShardedFolders.QWEN3);
        assertThat(loaded.parameters().values()).containsExactly(written.parameters().values());
    }

    @SuppressWarnings("unchecked")
    private void editIndex(java.util.function.Consumer<Map<String, Object>> edit) throws IOException {
        Map<String, Object> json = Json.parseObject(Files.readString(index), "index");
        Map<String, Object> copy = new LinkedHashMap<>(json);
        copy.put("weight_map", new LinkedHashMap<>((Map<String, Object>) json.get("weight_map")));
        edit.accept(copy);
        Files.writeString(index, Json.writePretty(copy));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> weightMap(Map<String, Object> index) {
        return (Map<String, Object>) index.get("weight_map");
    }

    /** The load fails with a FormatException starting with {@code file} and containing each of {@code words}. */
    private void refused(Path file, String... words) {
        Throwable t = catchThrowable(() -> HfCheckpoint.load(model));
        assertThat(t).isExactlyInstanceOf(FormatException.class);
        assertThat(t.getMessage()).startsWith(file + ": ").contains(words).doesNotContain("\n");
    }

    @Test
    void aShardPathThatLeavesTheFolderIsRefused() throws IOException {
        Files.write(dir.resolve("x"), Files.readAllBytes(model.resolve(ShardedFolders.SHARD_1)));
        for (String hostile : new String[] {"../x", dir.resolve("x").toString(), "sub/../../x", "..", "C:x", "..\\x"}) {
            editIndex(j -> weightMap(j).put("model.norm.weight", hostile));
            refused(index, "weight_map", "model.norm.weight", "leaves the model folder");
        }
    }

    @Test
    void aTensorListedInTheIndexButAbsentFromItsShardIsRefused() throws IOException {
        editIndex(j -> weightMap(j).put("model.norm.weight", ShardedFolders.SHARD_1.equals(weightMap(j).get("model.norm.weight"))
                ? ShardedFolders.SHARD_2 : ShardedFolders.SHARD_1));
        Throwable t = catchThrowable(() -> HfCheckpoint.load(model));
        assertThat(t).isExactlyInstanceOf(FormatException.class);
        assertThat(t.getMessage()).startsWith(model.resolve("model-0000").toString()).contains("\"model.norm.weight\"", "listed in", "not in this shard");
    }

    @Test
    void aMissingShardAMissingTensorAndAnEmptyOrNonObjectWeightMapAreRefused() throws IOException {
        editIndex(j -> weightMap(j).put("model.norm.weight", "model-00009-of-00009.safetensors"));
        refused(index, "weight_map", "model.norm.weight", "not found");

        writeAShardedQwen3();
        editIndex(j -> weightMap(j).remove("model.norm.weight"));
        refused(index, "missing tensors", "model.norm.weight");

        for (Object notAnObject : new Object[] {java.util.List.of("a"), "model.safetensors", 3L}) {
            writeAShardedQwen3();
            editIndex(j -> j.put("weight_map", notAnObject));
            refused(index, "weight_map", "must be an object");
        }
        writeAShardedQwen3();
        editIndex(j -> j.put("weight_map", Map.of()));
        refused(index, "weight_map", "empty");
        writeAShardedQwen3();
        editIndex(j -> weightMap(j).put("model.norm.weight", 7L));
        refused(index, "weight_map", "model.norm.weight", "must be a file name");
        writeAShardedQwen3();
        Files.writeString(index, "{\"weight_map\": {\"model.norm.weight\": ");
        Throwable t = catchThrowable(() -> HfCheckpoint.load(model));
        assertThat(t).isInstanceOf(FormatException.class);
        assertThat(t.getMessage()).startsWith(index.toString());
    }

    /** Rewrites a shard's JSON header (same data) with {@code edit} applied to the text. */
    private static void editHeader(Path shard, java.util.function.UnaryOperator<String> edit) throws IOException {
        byte[] b = Files.readAllBytes(shard);
        int len = (int) ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String header = edit.apply(new String(b, 8, len, StandardCharsets.UTF_8));
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        int padded = (h.length + 7) / 8 * 8;
        ByteBuffer out = ByteBuffer.allocate(8 + padded + b.length - 8 - len).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded).put(h);
        for (int i = h.length; i < padded; i++) out.put((byte) ' ');
        out.put(b, 8 + len, b.length - 8 - len);
        Files.write(shard, out.array());
    }

    private String tensorIn(Path shard) throws IOException {
        return SafeTensors.open(shard).names().iterator().next();
    }

    @Test
    void hugeDeclaredShapesWrongShapesAndWrongDtypesInAShardAreRefused() throws IOException {
        Path shard = model.resolve(ShardedFolders.SHARD_2);
        String name = tensorIn(shard);
        String shape = "\"shape\":" + Json.write(java.util.Arrays.stream(SafeTensors.open(shard).entry(name).shape()).boxed().toList());
        for (String huge : new String[] {"[2147483647,2147483647]", "[9223372036854775807]", "[4294967296,4294967296,4294967296]", "[-1]"}) {
            editHeader(shard, h -> h.replaceFirst("(\"" + java.util.regex.Pattern.quote(name) + "\":\\{[^}]*?)\"shape\":\\[[0-9,]*\\]", "$1\"shape\":" + huge));
            Throwable t = catchThrowable(() -> HfCheckpoint.load(model));
            assertThat(t).as(huge).isExactlyInstanceOf(FormatException.class);
            assertThat(t.getMessage()).as(huge).startsWith(shard + ": ").doesNotContain("\n");
            writeAShardedQwen3();
        }
        // A consistent header (data offsets match) whose shape is not the config's.
        String norm = "model.norm.weight";
        Path normShard = model.resolve((String) weightMap(Json.parseObject(Files.readString(index), "i")).get(norm));
        SafeTensors st = SafeTensors.open(normShard);
        Map<String, float[]> tensors = new LinkedHashMap<>();
        for (String n : st.names()) tensors.put(n, st.floats(n));
        java.util.List<SafeTensors.Item> items = new java.util.ArrayList<>();
        for (var e : tensors.entrySet()) {
            int[] s = st.entry(e.getKey()).shape();
            items.add(e.getKey().equals(norm) ? SafeTensors.Item.f32(norm, new int[] {2, s[0] / 2}, e.getValue()) : SafeTensors.Item.f32(e.getKey(), s, e.getValue()));
        }
        SafeTensors.write(normShard, items, Map.of());
        refused(normShard, "\"model.norm.weight\"", "has shape [2, 8]", "expected [16]");

        // An integer tensor where a weight belongs.
        writeAShardedQwen3();
        normShard = model.resolve((String) weightMap(Json.parseObject(Files.readString(index), "i")).get(norm));
        st = SafeTensors.open(normShard);
        items.clear();
        for (String n : st.names()) {
            float[] v = st.floats(n);
            if (n.equals(norm)) items.add(SafeTensors.Item.i64(n, st.entry(n).shape(), new long[v.length]));
            else items.add(SafeTensors.Item.f32(n, st.entry(n).shape(), v));
        }
        SafeTensors.write(normShard, items, Map.of());
        refused(normShard, "\"model.norm.weight\"", "I64", "not a floating type");
    }

    @Test
    void aHostileConfigJsonIsRefusedWithTheField() throws IOException {
        Path config = model.resolve(HfCheckpoint.CONFIG);
        Map<String, Object> valid = Json.parseObject(Files.readString(config), "config");
        Object[][] cases = {
                {"num_key_value_heads", 3L, "num_key_value_heads"},
                {"num_attention_heads", -4L, "num_attention_heads"},
                {"head_dim", 7L, "head_dim"},
                {"vocab_size", 1L << 40, "vocab_size"},
                {"hidden_size", "16", "hidden_size"},
                {"max_position_embeddings", 0L, "max_position_embeddings"},
                {"rope_theta", -1.0, "rope_theta"},
                {"rope_scaling", Map.of("rope_type", "yarn", "factor", 2.0), "rope_scaling"},
                {"model_type", "falcon", "model_type"},
                {"num_hidden_layers", 1L << 31, "num_hidden_layers"},
                {"intermediate_size", 3_000_000_000L, "intermediate_size"},
                {"vocab_size", 200_000_000L, "vocab_size 200000000"},           // fits an int, but not one array of parameters
                {"num_hidden_layers", 2_000_000L, "num_hidden_layers"},
        };
        for (Object[] c : cases) {
            Map<String, Object> bad = new LinkedHashMap<>(valid);
            bad.put((String) c[0], c[1]);
            Files.writeString(config, Json.writePretty(bad));
            Throwable t = catchThrowable(() -> HfCheckpoint.load(model));
            assertThat(t).as("%s = %s", c[0], c[1]).isInstanceOf(FormatException.class);
            assertThat(t.getMessage()).as("%s = %s", c[0], c[1]).startsWith(config + ": ").contains((String) c[2]).doesNotContain("\n");
        }
    }
}
