package io.cpo4j.engine.io;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonTest {

    @Test
    @SuppressWarnings("unchecked")
    void parsesEveryKindOfValue() throws Exception {
        Map<String, Object> m = Json.parseObject("""
                {"a": 1, "b": -2.5e3, "c": "x\\u00e9\\n\\"", "d": [true, false, null], "e": {}, "f": [], "g": 12345678901234}
                """, "t.json");
        assertThat(m).containsEntry("a", 1L).containsEntry("b", -2500.0).containsEntry("c", "xé\n\"").containsEntry("g", 12345678901234L);
        assertThat((List<Object>) m.get("d")).containsExactly(true, false, null);
        assertThat(m.keySet()).containsExactly("a", "b", "c", "d", "e", "f", "g");
    }

    @Test
    void roundTripsThroughTheWriter() throws Exception {
        String text = "{\"name\":\"gpt\\\"2\",\"n\":[1,2,3],\"x\":0.5,\"ok\":true,\"none\":null}";
        assertThat(Json.write(Json.parse(text, "t"))).isEqualTo(text);
        assertThat(Json.parse(Json.writePretty(Json.parse(text, "t")), "t")).isEqualTo(Json.parse(text, "t"));
    }

    @Test
    void errorsNameTheSourceLineAndColumn() {
        assertThatThrownBy(() -> Json.parse("{\n  \"a\": 1,\n  \"b\" 2\n}", "config.json"))
                .isInstanceOf(FormatException.class).hasMessage("config.json: line 3, column 7: expected ':'");
        assertThatThrownBy(() -> Json.parse("{\"a\":1,\"a\":2}", "x")).hasMessageContaining("duplicate key \"a\"");
        assertThatThrownBy(() -> Json.parse("[1,2", "x")).hasMessageContaining("end of input");
        assertThatThrownBy(() -> Json.parse("[01]", "x")).hasMessageContaining("expected ',' or ']'");
        assertThatThrownBy(() -> Json.parse("\"a\u0001\"", "x")).hasMessageContaining("control character");
        assertThatThrownBy(() -> Json.parse("[".repeat(10_000), "x")).hasMessageContaining("nesting deeper");
        assertThatThrownBy(() -> Json.parse("{} x", "x")).hasMessageContaining("after the value");
    }

    @Test
    void typedFieldsNameTheField() throws Exception {
        Map<String, Object> m = Json.parseObject("{\"n_layer\": \"two\", \"n_head\": 99999999999}", "config.json");
        assertThatThrownBy(() -> Json.requireLong(m, "n_layer", "config.json"))
                .hasMessage("config.json: field \"n_layer\" must be an integer, found a string (\"two\")");
        assertThatThrownBy(() -> Json.requireInt(m, "n_head", 1, 1024, "config.json")).hasMessageContaining("[1, 1024]");
        assertThatThrownBy(() -> Json.requireString(m, "missing", "config.json")).hasMessage("config.json: missing field \"missing\"");
    }

    @Test
    void integersAreExactOverTheWholeLongRange() throws Exception {
        // 19-digit integers (seeds, token counts, offsets) used to pass through a double and lose their last digits.
        assertThat(Json.parse("1234567890123456789", "x")).isEqualTo(1234567890123456789L);
        assertThat(Json.parse("-9223372036854775808", "x")).isEqualTo(Long.MIN_VALUE);
        assertThat(Json.parse("9223372036854775807", "x")).isEqualTo(Long.MAX_VALUE);
        assertThat(Json.parse("9223372036854775808", "x")).isEqualTo(9.223372036854775808e18);   // beyond long: a double
        assertThatThrownBy(() -> Json.requireLong(Json.parseObject("{\"seed\": 99999999999999999999}", "c.json"), "seed", "c.json"))
                .hasMessage("c.json: field \"seed\" must be an integer, found a number (1.0E20)");
    }

    @Test
    void numbersBeyondTheDoubleRangeAreRefused() {
        // They would read as Infinity, which no config means and the writer cannot write back.
        assertThatThrownBy(() -> Json.parse("{\"eps\": 1e999}", "config.json")).isInstanceOf(FormatException.class)
                .hasMessage("config.json: line 1, column 9: number 1e999 is out of range (a double holds at most ±1.8e308)");
        assertThatThrownBy(() -> Json.parse("-" + "9".repeat(400), "x")).hasMessageContaining("out of range");
    }

    @Test
    void negativeZeroKeepsItsSign() throws Exception {
        assertThat(Json.write(-0.0)).isEqualTo("-0.0");
        assertThat(Json.parse(Json.write(-0.0), "x")).isEqualTo(-0.0);
        assertThat(Json.write(0.0)).isEqualTo("0.0");
    }
}
