package io.cpo4j.tests;

import io.cpo4j.engine.io.FormatException;
import io.cpo4j.engine.io.Json;
import io.cpo4j.engine.io.SafeTensors;
import io.cpo4j.model.gpt.Gpt;
import io.cpo4j.model.gpt.GptConfig;
import io.cpo4j.model.gpt.HfCheckpoint;
import io.cpo4j.model.gpt.HfConfig;
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
 * Every parser of user files meets ≥ 10,000 seeded mutations of a valid file. Each must either
 * read it or end with a {@link FormatException} (an IOException naming the file); anything else —
 * IndexOutOfBounds, NegativeArraySize, OutOfMemoryError, a stack overflow, a hang — fails the test
 * and names the seed that reproduces it.
 */
class ParserFuzzTest {

    static final int RUNS = 10_000;

    @TempDir
    Path dir;

    interface Parser {
        void parse(byte[] input) throws IOException;
    }

    /** Runs the mutations; returns how many inputs parsed (the rest were refused with a FormatException). */
    static int fuzz(String what, byte[] valid, long seed, boolean headerOnly, Parser parser) {
        Mutator m = new Mutator(seed);
        int accepted = 0;
        for (int i = 0; i < RUNS; i++) {
            byte[] input = headerOnly ? m.mutateRegion(valid, 0, headerEnd(valid)) : m.mutate(valid);
            try {
                parser.parse(input);
                accepted++;
            } catch (FormatException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            } catch (Throwable t) {
                fail(what + ": mutation " + i + " (seed " + seed + ") threw " + t + " instead of a FormatException", t);
            }
        }
        return accepted;
    }

    /** The end of a safetensors header (8 + its length), or the whole input for other formats. */
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
        Parser readAll = input -> {
            Files.write(f, input);
            SafeTensors st = SafeTensors.open(f);
            for (String name : st.names()) {
                if (st.entry(name).dtype().name().startsWith("F") || st.entry(name).dtype().name().startsWith("BF")) st.floats(name);
                else st.longs(name);
            }
        };
        int headerAccepted = fuzz("safetensors header", valid, 1, true, readAll);
        int anyAccepted = fuzz("safetensors file", valid, 2, false, readAll);
        assertThat(headerAccepted + anyAccepted).as("some mutations keep the file valid").isGreaterThan(0);
    }

    @Test
    @Timeout(120)
    void configJson() {
        byte[] valid = Json.writePretty(HfConfig.toJson(SMALL, 0)).getBytes(StandardCharsets.UTF_8);
        fuzz("config.json", valid, 3, false, input -> HfConfig.fromJson(
                Json.parseObject(new String(input, StandardCharsets.UTF_8), "config.json"), "config.json"));
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
        fuzz("trainer.safetensors", valid, 4, true, input -> {
            Files.write(saved.resolve("trainer.safetensors"), input);
            Checkpoints.restore(target, saved);
        });
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
}
