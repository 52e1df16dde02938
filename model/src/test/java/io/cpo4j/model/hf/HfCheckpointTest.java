package io.cpo4j.model.hf;

import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.io.FormatException;
import io.cpo4j.engine.io.Json;
import io.cpo4j.model.gpt.Gpt;
import io.cpo4j.model.gpt.GptConfig;
import io.cpo4j.model.lm.MemoryEstimate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class HfCheckpointTest {

    @TempDir
    Path dir;

    static final GptConfig SMALL = new GptConfig(50, 16, 2, 2, 8, 0f, 1e-5f);

    @Test
    void savedFoldersLoadBackBitForBit() throws IOException {
        Gpt a = Gpt.create(SMALL, 7);
        HfCheckpoint.save(a, dir, 49);
        Gpt b = (Gpt) HfCheckpoint.load(dir);
        assertThat(b.config()).isEqualTo(SMALL);
        assertThat(b.parameters().values()).containsExactly(a.parameters().values());
        Map<String, Object> cfg = Json.parseObject(Files.readString(dir.resolve("config.json")), "config.json");
        assertThat(cfg).containsEntry("model_type", "gpt2").containsEntry("n_embd", 8L).containsEntry("eos_token_id", 49L)
                .containsEntry("activation_function", "gelu_new").containsEntry("tie_word_embeddings", true);
        // HuggingFace layout on disk: Conv1D weights (in, out), transformer. prefix, no lm_head.
        var st = io.cpo4j.engine.io.SafeTensors.open(dir.resolve("model.safetensors"));
        assertThat(st.entry("transformer.h.0.mlp.c_fc.weight").shape()).containsExactly(8, 32);
        assertThat(st.entry("transformer.wte.weight").shape()).containsExactly(50, 8);
        assertThat(st.names()).noneMatch(n -> n.startsWith("lm_head"));
    }

    /** Writes a safetensors file by hand, in a dtype the library does not write (F16 / BF16). */
    private static void writeHalf(Path file, Map<String, float[]> tensors, Map<String, int[]> shapes, String dtype) throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        long off = 0;
        for (var e : tensors.entrySet()) {
            header.put(e.getKey(), Map.of("dtype", dtype, "shape", shapes.get(e.getKey()), "data_offsets", new long[] {off, off + 2L * e.getValue().length}));
            off += 2L * e.getValue().length;
        }
        byte[] h = Json.write(header).getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate((int) (8 + h.length + off)).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(h.length).put(h);
        for (float[] v : tensors.values()) {
            for (float x : v) buf.putShort(dtype.equals("F16") ? Float.floatToFloat16(x) : (short) (Float.floatToIntBits(x) >>> 16));
        }
        Files.write(file, buf.array());
    }

    @Test
    void loadsHalfPrecisionUnprefixedKeysAndSkipsBuffers() throws IOException {
        Gpt a = Gpt.create(SMALL, 8);
        for (String dtype : List.of("F16", "BF16")) {
            Map<String, float[]> tensors = new LinkedHashMap<>();
            Map<String, int[]> shapes = new LinkedHashMap<>();
            for (Tensor p : a.parameters().list()) {
                boolean conv = HfCheckpoint.storedTransposed(GptConfig.tiny(), p.name());
                float[] v = p.toArray();
                if (conv) {
                    float[] t = new float[v.length];
                    HfCheckpoint.transposeInto(v, p.size(0), p.size(1), t, 0);
                    v = t;
                }
                tensors.put(p.name(), v);
                shapes.put(p.name(), conv ? new int[] {p.size(1), p.size(0)} : p.shape());
            }
            tensors.put("h.0.attn.bias", new float[16 * 16]);
            shapes.put("h.0.attn.bias", new int[] {1, 1, 16, 16});
            tensors.put("lm_head.weight", a.parameters().get("wte.weight").toArray());
            shapes.put("lm_head.weight", new int[] {50, 8});
            Path d = Files.createDirectories(dir.resolve(dtype));
            writeHalf(d.resolve("model.safetensors"), tensors, shapes, dtype);
            Files.writeString(d.resolve("config.json"), Json.write(HfCheckpoint.configJson(SMALL, 0, 0)));
            Gpt b = (Gpt) HfCheckpoint.load(d);
            float[] va = a.parameters().values(), vb = b.parameters().values();
            double tol = dtype.equals("F16") ? 1e-3 : 1e-2;
            for (int i = 0; i < va.length; i++) {
                assertThat((double) Math.abs(va[i] - vb[i])).as(dtype + " element " + i).isLessThanOrEqualTo(tol * Math.max(1e-2, Math.abs(va[i])));
            }
        }
    }

    @Test
    void brokenFoldersAreRefusedWithTheFileAndTheProblem() throws IOException {
        assertThatThrownBy(() -> HfCheckpoint.load(dir)).isInstanceOf(FormatException.class).hasMessageContaining("config.json: not found");
        Gpt a = Gpt.create(SMALL, 9);
        HfCheckpoint.save(a, dir, 0);
        GptConfig wider = new GptConfig(50, 16, 2, 2, 16, 0f, 1e-5f);
        Files.writeString(dir.resolve("config.json"), Json.write(HfCheckpoint.configJson(wider, 0, 0)));
        assertThatThrownBy(() -> HfCheckpoint.load(dir)).hasMessageContaining("model.safetensors").hasMessageContaining("has shape");
        Files.writeString(dir.resolve("config.json"), "{\"model_type\":\"gpt2\",\"vocab_size\":50,\"n_positions\":16,\"n_layer\":2,\"n_head\":3,\"n_embd\":8}");
        assertThatThrownBy(() -> HfCheckpoint.load(dir)).hasMessageContaining("config.json").hasMessageContaining("n_embd (8) is not a multiple of n_head (3)");
        Files.writeString(dir.resolve("config.json"), "{\"model_type\":\"bert\"}");
        assertThatThrownBy(() -> HfCheckpoint.load(dir)).hasMessageContaining("config.json: model_type \"bert\" is not supported; supported: gpt2, llama, mistral, qwen2, qwen3");
        Files.writeString(dir.resolve("config.json"), "{\"model_type\":\"llama\"}");
        assertThatThrownBy(() -> HfCheckpoint.load(dir)).hasMessageContaining("config.json: missing field \"vocab_size\"");
        GptConfig deeper = new GptConfig(50, 16, 3, 2, 8, 0f, 1e-5f);
        Files.writeString(dir.resolve("config.json"), Json.write(HfCheckpoint.configJson(deeper, 0, 0)));
        assertThatThrownBy(() -> HfCheckpoint.load(dir)).hasMessageContaining("missing tensors [transformer.h.2.");
    }

    @Test
    void loadsHuggingFacesTinyRandomGpt2() throws IOException {
        Path tiny = Path.of(System.getProperty("cpo4j.root", "."), "..", "shared", "data", "tiny-random-gpt2");
        assumeTrue(Files.isDirectory(tiny), "../shared/data is absent");
        Gpt gpt = (Gpt) HfCheckpoint.load(tiny);
        assertThat(gpt.config().width()).isEqualTo(32);
        assertThat(gpt.config().layers()).isEqualTo(5);
        assertThat(gpt.config().vocabSize()).isEqualTo(1000);
        gpt.setTraining(false);
        float[] logits = gpt.logits(new int[] {1, 2, 3, 4}, 1, 4).toArray();
        assertThat(logits).hasSize(4000);
        for (float v : logits) assertThat(v).isFinite();
        HfCheckpoint.save(gpt, dir, 98);
        assertThat(HfCheckpoint.load(dir).parameters().values()).containsExactly(gpt.parameters().values());
    }

    @Test
    void presetsHaveTheirPublishedSizes() {
        assertThat(GptConfig.gpt2().parameterCount()).isEqualTo(124_439_808L);
        assertThat(GptConfig.gpt2Medium().parameterCount()).isEqualTo(354_823_168L);
        assertThat(GptConfig.gpt2Large().parameterCount()).isEqualTo(774_030_080L);
        assertThat(GptConfig.gpt2Xl().parameterCount()).isEqualTo(1_557_611_200L);
        assertThat(GptConfig.preset("tiny")).isEqualTo(GptConfig.tiny());
        assertThatThrownBy(() -> GptConfig.preset("gpt5")).hasMessageContaining("presets");
    }

    @Test
    void aModelThatCannotFitIsRefusedBeforeAllocating() {
        GptConfig huge = new GptConfig(50257, 1024, 200, 16, 2048, 0f, 1e-5f);
        assertThatThrownBy(() -> Gpt.create(huge, 0)).isInstanceOf(MemoryEstimate.InsufficientMemoryException.class)
                .hasMessageContaining("10176681984 parameters exceeds one Java array");
        assumeTrue(Runtime.getRuntime().maxMemory() < 11L << 30, "this heap could hold GPT-2 XL");
        assertThatThrownBy(() -> Gpt.create(GptConfig.gpt2Xl(), 0)).isInstanceOf(MemoryEstimate.InsufficientMemoryException.class)
                .hasMessageContaining("needs about 13.35 GiB");
        MemoryEstimate e = MemoryEstimate.training(GptConfig.gpt2(), 64, 1024);
        assertThat(e.totalBytes()).isGreaterThan(20L << 30);
        assertThatThrownBy(() -> e.requireFits("training gpt2 at batch 64 × 1024"))
                .hasMessageContaining("training gpt2 at batch 64 × 1024 needs about").hasMessageContaining("-Xmx");
    }
}
