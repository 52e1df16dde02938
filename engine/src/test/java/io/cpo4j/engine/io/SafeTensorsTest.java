package io.cpo4j.engine.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class SafeTensorsTest {

    @TempDir
    Path dir;

    @Test
    void writesAndReadsBackFloatsLongsAndMetadata() throws IOException {
        Path f = dir.resolve("t.safetensors");
        float[] flat = {9, 1, 2, 3, 4, 5, 6};
        SafeTensors.write(f, List.of(
                SafeTensors.Item.f32("w", new int[] {2, 3}, flat, 1),
                SafeTensors.Item.i64("ids", new int[] {3}, new long[] {7, -1, 1L << 40}),
                SafeTensors.Item.f32("empty", new int[] {0, 4}, new float[0])), Map.of("format", "pt"));
        SafeTensors st = SafeTensors.open(f);
        assertThat(st.names()).containsExactly("w", "ids", "empty");
        assertThat(st.floats("w")).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(st.entry("w").shape()).containsExactly(2, 3);
        assertThat(st.longs("ids")).containsExactly(7, -1, 1L << 40);
        assertThat(st.floats("empty")).isEmpty();
        assertThat(st.metadata()).containsEntry("format", "pt");
        assertThat((Files.size(f) - 8 - st.entry("w").end() - 24) % 8).isZero();
        assertThatThrownBy(() -> st.ints("ids")).hasMessageContaining("does not fit an int");
        assertThatThrownBy(() -> st.floats("nope")).hasMessageContaining("no tensor named \"nope\"");
    }

    @Test
    void readsF16AndBf16() throws IOException {
        Path f = dir.resolve("half.safetensors");
        String header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[4,8]}}";
        ByteBuffer data = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        data.putShort(Float.floatToFloat16(1.5f)).putShort(Float.floatToFloat16(-0.25f));
        data.putShort((short) (Float.floatToIntBits(3.0f) >>> 16)).putShort((short) (Float.floatToIntBits(-2.0f) >>> 16));
        write(f, header, data.array());
        SafeTensors st = SafeTensors.open(f);
        assertThat(st.floats("h")).containsExactly(1.5f, -0.25f);
        assertThat(st.floats("b")).containsExactly(3.0f, -2.0f);
    }

    private static void write(Path f, String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Files.write(f, b.array());
    }

    private void assertRejected(String header, int dataBytes, String expected) throws IOException {
        Path f = dir.resolve("bad.safetensors");
        write(f, header, new byte[dataBytes]);
        assertThatThrownBy(() -> SafeTensors.open(f)).isInstanceOf(FormatException.class)
                .hasMessageStartingWith(f.toString()).hasMessageContaining(expected);
    }

    @Test
    void malformedHeadersAreRefusedWithTheFileAndTheProblem() throws IOException {
        String ok = "\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]";
        assertRejected("{\"a\":{" + ok + "}", 8, "end of input");
        assertRejected("{\"a\":{\"dtype\":\"F99\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "unknown dtype \"F99\"");
        assertRejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8, "12 bytes but data_offsets span 8");
        assertRejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,16]}}", 8, "outside the 8-byte data region");
        assertRejected("{\"a\":{" + ok + "},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12, "overlaps");
        assertRejected("{\"a\":{" + ok + "},\"a\":{" + ok + "}}", 8, "duplicate key \"a\"");
        assertRejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[2147483647,2147483647,2147483647],\"data_offsets\":[0,8]}}", 8, "overflows");
        assertRejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,8]}}", 8, "invalid dimension");
        assertRejected("{\"a\":{" + ok + "}}", 12, "tensors cover 8");
        assertRejected("not json", 0, "line 1, column 1");
        Path f = dir.resolve("short.safetensors");
        Files.write(f, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0, 0, 0, 0, '{', '}'});
        assertThatThrownBy(() -> SafeTensors.open(f)).hasMessageContaining("does not fit in a file of 10 bytes");
    }

    @Test
    void readsThePyTorchFixtureWhenPresent() throws IOException {
        Path fixture = Path.of(System.getProperty("cpo4j.root", "."), "..", "shared", "fixtures", "gpt2-tiny", "lm.safetensors");
        assumeTrue(Files.isRegularFile(fixture), "../shared/fixtures is absent");
        SafeTensors st = SafeTensors.open(fixture);
        assertThat(st.entry("logits").shape()).containsExactly(2, 32, 96);
        assertThat(java.util.Arrays.stream(st.longs("input_ids")).boxed().toList()).hasSize(64).allMatch(v -> v >= 0 && v < 96);
        assertThat(st.floats("loss")[0]).isBetween(1f, 10f);
    }
}
