package io.cpo4j.model.tokenizer;

import io.cpo4j.engine.io.FormatException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class Utf8Test {

    private static byte[] bytes(int... b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) out[i] = (byte) b[i];
        return out;
    }

    @Test
    void lenientDecodingReplacesLikePython() {
        // Expected values are Python 3's bytes.decode("utf-8", errors="replace").
        assertThat(Utf8.decodeLenient(bytes(0xE4, 0xB8))).isEqualTo("\uFFFD");             // truncated 3-byte char
        assertThat(Utf8.decodeLenient(bytes(0xF0, 0x9F, 0x98))).isEqualTo("\uFFFD");       // truncated emoji
        assertThat(Utf8.decodeLenient(bytes(0x61, 0xF0, 0x9F, 0x98, 0x62))).isEqualTo("a\uFFFDb");
        assertThat(Utf8.decodeLenient(bytes(0xC0, 0x80))).isEqualTo("\uFFFD\uFFFD");        // overlong
        assertThat(Utf8.decodeLenient(bytes(0xE0, 0x80, 0x80))).isEqualTo("\uFFFD\uFFFD\uFFFD");
        assertThat(Utf8.decodeLenient(bytes(0xED, 0xA0, 0x80))).isEqualTo("\uFFFD\uFFFD\uFFFD"); // surrogate
        assertThat(Utf8.decodeLenient(bytes(0xF4, 0x90, 0x80, 0x80))).isEqualTo("\uFFFD\uFFFD\uFFFD\uFFFD"); // > U+10FFFF
        assertThat(Utf8.decodeLenient(bytes(0x80, 0xBF))).isEqualTo("\uFFFD\uFFFD");
        assertThat(Utf8.decodeLenient(bytes(0xF5, 0x41))).isEqualTo("\uFFFDA");
        assertThat(Utf8.decodeLenient(bytes(0xE4, 0xB8, 0x41))).isEqualTo("\uFFFDA");
        assertThat(Utf8.decodeLenient("naïve 中文 😀".getBytes(StandardCharsets.UTF_8))).isEqualTo("naïve 中文 😀");
    }

    @Test
    void strictDecodingNamesTheByteAndLine() throws FormatException {
        byte[] text = "ok\nline two \u00e9\n".getBytes(StandardCharsets.UTF_8);
        byte[] bad = java.util.Arrays.copyOf(text, text.length + 2);
        bad[text.length] = 'x';
        bad[text.length + 1] = (byte) 0xFF;
        assertThatThrownBy(() -> Utf8.decodeStrict(bad, "data.txt"))
                .isInstanceOf(FormatException.class)
                .hasMessage("data.txt: invalid UTF-8 at byte 16 (line 3, column 2): a sequence starting with 0xFF");
        assertThat(Utf8.decodeStrict(text, "data.txt")).isEqualTo("ok\nline two é\n");
    }

    @Test
    void encodesLoneSurrogatesAsReplacement() {
        String s = "a\uD800b😀";
        byte[] buf = new byte[1];
        int[] end = new int[1];
        buf = Utf8.encode(s, 0, s.length(), buf, 0, end);
        assertThat(java.util.Arrays.copyOf(buf, end[0])).isEqualTo("a\uFFFDb😀".getBytes(StandardCharsets.UTF_8));
    }
}
