package io.cpo4j.engine.io;

import io.cpo4j.engine.DType;
import io.cpo4j.engine.kernels.HalfFloats;
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

/** Reading a tensor straight into half-precision bits: copied when the file holds the target format, rounded otherwise. */
class SafeTensorsHalfTest {

    @TempDir
    Path dir;

    @Test
    void halfBitsAreCopiedAndOtherFormatsRounded() throws IOException {
        Path f = dir.resolve("half.safetensors");
        short[] bf = {0x3F80, (short) 0xC040, 0x7F80, 0x0001}, h = {0x3C00, (short) 0xB800, 0x7BFF};
        String header = "{\"b\":{\"dtype\":\"BF16\",\"shape\":[2,2],\"data_offsets\":[0,8]},"
                + "\"h\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[8,14]}}";
        ByteBuffer data = ByteBuffer.allocate(14).order(ByteOrder.LITTLE_ENDIAN);
        for (short s : bf) data.putShort(s);
        for (short s : h) data.putShort(s);
        byte[] hb = header.getBytes(StandardCharsets.UTF_8);
        Files.write(f, ByteBuffer.allocate(8 + hb.length + 14).order(ByteOrder.LITTLE_ENDIAN).putLong(hb.length).put(hb).put(data.array()).array());
        SafeTensors st = SafeTensors.open(f);
        short[] out = new short[6];
        st.readHalf(st.entry("b"), DType.BF16, out, 1);
        assertThat(java.util.Arrays.copyOfRange(out, 1, 5)).containsExactly(bf);
        short[] out16 = new short[3];
        st.readHalf(st.entry("h"), DType.F16, out16, 0);
        assertThat(out16).containsExactly(h);
        st.readHalf(st.entry("h"), DType.BF16, out16, 0);                   // F16 → BF16: through float32, rounded
        for (int i = 0; i < 3; i++) assertThat(out16[i]).isEqualTo(HalfFloats.floatToBf16(Float.float16ToFloat(h[i])));
        assertThatThrownBy(() -> st.readHalf(st.entry("b"), DType.BF16, new short[3], 0)).hasMessageContaining("too small");
        assertThatThrownBy(() -> st.readHalf(st.entry("b"), DType.F32, out, 0)).hasMessageContaining("BF16 or F16");
    }

    @Test
    void float32IsRoundedToNearestEven() throws IOException {
        Path f = dir.resolve("f32.safetensors");
        float[] v = {1f, Float.intBitsToFloat(0x3F808000), Float.intBitsToFloat(0x3F818000), 65520f, 0x1p-25f};
        SafeTensors.write(f, List.of(SafeTensors.Item.f32("w", new int[] {5}, v)), Map.of());
        SafeTensors st = SafeTensors.open(f);
        short[] b = new short[5], h = new short[5];
        st.readHalf(st.entry("w"), DType.BF16, b, 0);
        st.readHalf(st.entry("w"), DType.F16, h, 0);
        assertThat(b).containsExactly((short) 0x3F80, (short) 0x3F80, (short) 0x3F82, HalfFloats.floatToBf16(65520f), HalfFloats.floatToBf16(0x1p-25f));
        assertThat(h).as("exact in f16, except 65520 (tie: to infinity) and 2^-25 (tie: to zero)")
                .containsExactly((short) 0x3C00, (short) 0x3C04, (short) 0x3C0C, (short) 0x7C00, (short) 0);
    }
}
