package io.cpo4j.tests;

import io.cpo4j.engine.io.FormatException;
import io.cpo4j.engine.io.Json;
import io.cpo4j.engine.io.SafeTensors;
import io.cpo4j.model.gpt.Gpt;
import io.cpo4j.model.gpt.GptConfig;
import io.cpo4j.model.hf.HfCheckpoint;
import io.cpo4j.model.train.Checkpoints;
import io.cpo4j.model.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The model files — safetensors, config.json, a training checkpoint — each meet ≥ 10,000 seeded
 * mutations of a valid file (see {@link Fuzzing} for what passes). Tokenizer files, datasets and
 * JSON itself are fuzzed in {@link TokenizerFuzzTest}, {@link DataFileFuzzTest} and {@link JsonFuzzTest}.
 */
class ParserFuzzTest {

    @TempDir
    Path dir;

    /** The end of a safetensors header (8 + its length). */
    private static int headerEnd(byte[] b) {
        long len = ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return (int) Math.min(b.length, 8 + len);
    }

    static final GptConfig SMALL = new GptConfig(30, 8, 1, 2, 8, 0f, 1e-5f);

    @Test
    @Timeout(300)
    void safetensors() throws IOException {
        HfCheckpoint.save(Gpt.create(SMALL, 1), dir.resolve("m"), 0);
        byte[] valid = Files.readAllBytes(dir.resolve("m/model.safetensors"));
        Path f = dir.resolve("fuzz.safetensors");
        Fuzzing.Parser readAll = input -> {
            Files.write(f, input);
            SafeTensors st = SafeTensors.open(f);
            for (String name : st.names()) {
                if (st.entry(name).dtype().name().startsWith("F") || st.entry(name).dtype().name().startsWith("BF")) st.floats(name);
                else st.longs(name);
            }
        };
        int headerAccepted = Fuzzing.fuzz("safetensors header", 1, m -> m.mutateRegion(valid, 0, headerEnd(valid)), readAll, f.getFileName().toString()).accepted();
        int anyAccepted = Fuzzing.fuzz("safetensors file", 2, m -> m.mutate(valid), readAll, f.getFileName().toString()).accepted();
        assertThat(headerAccepted + anyAccepted).as("some mutations keep the file valid").isGreaterThan(0);
    }

    /** Everything a restore may change: weights, AdamW moments, counters, data position and dropout stream. */
    private static final class TrainerState {
        final float[] weights, m, v;
        String rest;

        TrainerState(Trainer t) {
            int n = t.model().parameters().count();
            weights = new float[n];
            m = new float[n];
            v = new float[n];
        }

        void take(Trainer t) {
            System.arraycopy(t.model().parameters().values(), 0, weights, 0, weights.length);
            System.arraycopy(t.optimizer().firstMoments(), 0, m, 0, m.length);
            System.arraycopy(t.optimizer().secondMoments(), 0, v, 0, v.length);
            rest = counters(t);
        }

        boolean matches(Trainer t) {
            return java.util.Arrays.equals(weights, t.model().parameters().values()) && java.util.Arrays.equals(m, t.optimizer().firstMoments())
                    && java.util.Arrays.equals(v, t.optimizer().secondMoments()) && rest.equals(counters(t));
        }

        private static String counters(Trainer t) {
            return t.stepsDone() + "/" + t.badSteps() + "/" + t.objective().state() + "/" + t.model().dropoutRng().state();
        }
    }

    @Test
    @Timeout(300)
    void modelFolder() throws IOException {
        // The weights as a user loads them: safetensors parsing plus the match of names and shapes to the model.
        Path folder = dir.resolve("model");
        HfCheckpoint.save(Gpt.create(SMALL, 1), folder, 0);
        Path weights = folder.resolve(HfCheckpoint.WEIGHTS);
        byte[] valid = Files.readAllBytes(weights);
        Fuzzing.fuzz("model folder", 6, m -> m.mutateRegion(valid, 0, headerEnd(valid)), input -> {
            Files.write(weights, input);
            HfCheckpoint.load(folder);
        }, HfCheckpoint.WEIGHTS);
    }

    @Test
    @Timeout(120)
    void configJson() {
        byte[] valid = Json.writePretty(HfCheckpoint.configJson(SMALL, 0, 0)).getBytes(StandardCharsets.UTF_8);
        Fuzzing.fuzz("config.json", 3, m -> m.mutate(valid), input -> HfCheckpoint.config(
                Json.parseObject(new String(input, StandardCharsets.UTF_8), "config.json"), "config.json"), "config.json");
    }

    @Test
    @Timeout(300)
    void trainingState() throws IOException {
        Trainer t = CrashTrainMain.trainer(2);
        t.step();
        Path saved = new Checkpoints(dir.resolve("cps"), 1, 0).save(t);
        byte[] valid = Files.readAllBytes(saved.resolve("trainer.safetensors"));
        byte[] config = Files.readAllBytes(saved.resolve("config.json"));
        Trainer target = CrashTrainMain.trainer(2);
        TrainerState before = new TrainerState(target);
        Fuzzing.fuzz("trainer.safetensors", 4, m -> m.mutateRegion(valid, 0, headerEnd(valid)), input -> {
            Files.write(saved.resolve("trainer.safetensors"), input);
            before.take(target);
            try {
                Checkpoints.restore(target, saved);
            } catch (FormatException refused) {
                if (!before.matches(target)) throw new AssertionError("a refused checkpoint changed the trainer: " + refused.getMessage());
                throw refused;
            }
        }, "trainer.safetensors");
        Files.write(saved.resolve("trainer.safetensors"), valid);
        Mutator m = new Mutator(5);
        for (int i = 0; i < 2_000; i++) {                      // the checkpoint's config.json, a slower path
            Files.write(saved.resolve("config.json"), m.mutate(config));
            try {
                Checkpoints.restore(target, saved);
            } catch (FormatException expected) {
                // refused with the file named
            } catch (Throwable e) {
                fail("checkpoint config.json: mutation " + i + " threw " + e, e);
            }
        }
    }

    @Test
    @Timeout(120)
    void llamaFamilyConfigJson() {
        for (var config : java.util.List.of(ShardedFolders.QWEN3, ShardedFolders.LLAMA3)) {
            byte[] valid = Json.writePretty(HfCheckpoint.configJson(config, 0, 1)).getBytes(StandardCharsets.UTF_8);
            Fuzzing.Outcome o = Fuzzing.fuzz(config.modelType() + " config.json", 31, m -> m.mutate(valid), input -> HfCheckpoint.config(
                    Json.parseObject(new String(input, StandardCharsets.UTF_8), "config.json"), "config.json"), "config.json");
            assertThat(o.refused()).isGreaterThan(Fuzzing.RUNS / 10);
        }
    }

    @Test
    @Timeout(300)
    void llamaFamilyFolder() throws IOException {
        // config.json, then the weights, of a single-file Qwen3 folder, loaded as a user loads them.
        Path folder = dir.resolve("qwen3");
        HfCheckpoint.save(ShardedFolders.QWEN3.create(1), folder, 0);
        Path config = folder.resolve(HfCheckpoint.CONFIG), weights = folder.resolve(HfCheckpoint.WEIGHTS);
        byte[] validConfig = Files.readAllBytes(config), validWeights = Files.readAllBytes(weights);
        Fuzzing.fuzz("qwen3 folder config.json", 32, m -> m.mutate(validConfig), input -> {
            Files.write(config, input);
            HfCheckpoint.load(folder);
        }, config.toString(), weights.toString());         // a valid but different config meets weights of another shape
        Files.write(config, validConfig);
        Fuzzing.fuzz("qwen3 folder model.safetensors", 33, m -> m.mutateRegion(validWeights, 0, headerEnd(validWeights)), input -> {
            Files.write(weights, input);
            HfCheckpoint.load(folder);
        }, weights.toString());
    }

    @Test
    @Timeout(300)
    void shardIndexAndShards() throws IOException {
        Path folder = dir.resolve("sharded");
        ShardedFolders.write(ShardedFolders.LLAMA3, folder);
        Path index = folder.resolve(HfCheckpoint.INDEX), shard = folder.resolve(ShardedFolders.SHARD_2);
        byte[] validIndex = Files.readAllBytes(index), validShard = Files.readAllBytes(shard);
        // Refusals name the index, a shard it points to, or (a weight_map gone wrong) the index's folder's files.
        Fuzzing.Outcome o = Fuzzing.fuzz("model.safetensors.index.json", 34, m -> m.mutate(validIndex), input -> {
            Files.write(index, input);
            HfCheckpoint.load(folder);
        }, index.toString(), folder.resolve("model-").toString());
        assertThat(o.accepted()).as("mutations of metadata keep the index valid").isPositive();
        Files.write(index, validIndex);
        Fuzzing.fuzz("model-00002-of-00002.safetensors", 35, m -> m.mutateRegion(validShard, 0, headerEnd(validShard)), input -> {
            Files.write(shard, input);
            HfCheckpoint.load(folder);
        }, shard.toString(), index.toString());
        Fuzzing.fuzz("model-00002-of-00002.safetensors (anywhere)", 36, m -> m.mutate(validShard), input -> {
            Files.write(shard, input);
            HfCheckpoint.load(folder);
        }, shard.toString(), index.toString());
    }
}
