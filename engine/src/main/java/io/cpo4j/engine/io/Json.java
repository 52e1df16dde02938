package io.cpo4j.engine.io;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small, strict JSON reader and writer (RFC 8259), enough for config files, safetensors
 * headers, tokenizer vocabularies and JSON lines — the library has no runtime dependencies.
 *
 * <p>Values map to Java as: object → {@code LinkedHashMap<String, Object>} (order kept),
 * array → {@code ArrayList<Object>}, string → {@code String}, integer → {@code Long}, other number →
 * {@code Double}, {@code true}/{@code false} → {@code Boolean}, {@code null} → {@code null}.
 * Errors name the source, line and column; nesting deeper than {@link #MAX_DEPTH} is refused
 * (no stack overflow on hostile input), as are duplicate keys.
 */
public final class Json {

    public static final int MAX_DEPTH = 256;

    private final String text;
    private final String source;
    private int pos;
    private int depth;

    private Json(String text, String source) {
        this.text = text;
        this.source = source;
    }

    /** Parses one JSON value that makes up the whole text. */
    public static Object parse(String text, String source) throws FormatException {
        Json p = new Json(text, source);
        p.skipSpace();
        Object v = p.value();
        p.skipSpace();
        if (p.pos < text.length()) throw p.error("unexpected '" + printable(text.charAt(p.pos)) + "' after the value");
        return v;
    }

    /** Parses a JSON object; anything else is an error naming the source. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(String text, String source) throws FormatException {
        Object v = parse(text, source);
        if (!(v instanceof Map)) throw new FormatException(source, "expected a JSON object, found " + kind(v));
        return (Map<String, Object>) v;
    }

    /** A short name for the JSON type of a parsed value (for error messages). */
    public static String kind(Object v) {
        if (v == null) return "null";
        if (v instanceof Map) return "an object";
        if (v instanceof List) return "an array";
        if (v instanceof String) return "a string";
        if (v instanceof Boolean) return "a boolean";
        return "a number";
    }

    // ---------------------------------------------------------------- typed fields

    /** An integer field; missing, fractional or non-numeric values are errors naming the field. */
    public static long requireLong(Map<String, Object> obj, String key, String source) throws FormatException {
        Object v = obj.get(key);
        if (v == null) throw new FormatException(source, "missing field \"" + key + "\"");
        if (v instanceof Long l) return l;
        throw new FormatException(source, "field \"" + key + "\" must be an integer, found " + describe(v));
    }

    /** An integer field that must fit an int and lie in [min, max]. */
    public static int requireInt(Map<String, Object> obj, String key, int min, int max, String source) throws FormatException {
        long v = requireLong(obj, key, source);
        if (v < min || v > max) throw new FormatException(source, "field \"" + key + "\" is " + v + ", expected a value in [" + min + ", " + max + "]");
        return (int) v;
    }

    /** A numeric field, or {@code fallback} when absent. */
    public static double optionalDouble(Map<String, Object> obj, String key, double fallback, String source) throws FormatException {
        Object v = obj.get(key);
        if (v == null) return fallback;
        if (v instanceof Number n) return n.doubleValue();
        throw new FormatException(source, "field \"" + key + "\" must be a number, found " + describe(v));
    }

    /** A string field; missing or non-string values are errors naming the field. */
    public static String requireString(Map<String, Object> obj, String key, String source) throws FormatException {
        Object v = obj.get(key);
        if (v instanceof String s) return s;
        if (v == null) throw new FormatException(source, "missing field \"" + key + "\"");
        throw new FormatException(source, "field \"" + key + "\" must be a string, found " + describe(v));
    }

    private static String describe(Object v) {
        String text = v instanceof String s ? "\"" + s + "\"" : String.valueOf(v);
        if (text.length() > 40) text = text.substring(0, 40) + "…";
        return kind(v) + " (" + text + ")";
    }

    // ---------------------------------------------------------------- reader

    private FormatException error(String problem) {
        int line = 1, col = 1;
        for (int i = 0; i < Math.min(pos, text.length()); i++) {
            if (text.charAt(i) == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        return new FormatException(source, "line " + line + ", column " + col + ": " + problem);
    }

    private static String printable(char c) {
        return c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c);
    }

    private void skipSpace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') pos++;
            else break;
        }
    }

    private Object value() throws FormatException {
        if (pos >= text.length()) throw error("unexpected end of input, expected a value");
        char c = text.charAt(pos);
        return switch (c) {
            case '{' -> object();
            case '[' -> array();
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) yield number();
                throw error("unexpected '" + printable(c) + "', expected a value");
            }
        };
    }

    private Object literal(String word, Object v) throws FormatException {
        if (!text.startsWith(word, pos)) throw error("unexpected token, expected '" + word + "'");
        pos += word.length();
        return v;
    }

    private void enter() throws FormatException {
        if (++depth > MAX_DEPTH) throw error("nesting deeper than " + MAX_DEPTH + " levels");
    }

    private Map<String, Object> object() throws FormatException {
        enter();
        pos++;
        Map<String, Object> map = new LinkedHashMap<>();
        skipSpace();
        if (pos < text.length() && text.charAt(pos) == '}') {
            pos++;
            depth--;
            return map;
        }
        while (true) {
            skipSpace();
            if (pos >= text.length() || text.charAt(pos) != '"') throw error("expected a string key");
            int keyPos = pos;
            String key = string();
            skipSpace();
            expect(':');
            skipSpace();
            Object v = value();
            if (map.containsKey(key)) {
                pos = keyPos;
                throw error("duplicate key \"" + key + "\"");
            }
            map.put(key, v);
            skipSpace();
            if (pos >= text.length()) throw error("unexpected end of input inside an object");
            char c = text.charAt(pos++);
            if (c == '}') break;
            if (c != ',') {
                pos--;
                throw error("expected ',' or '}' in an object");
            }
        }
        depth--;
        return map;
    }

    private List<Object> array() throws FormatException {
        enter();
        pos++;
        List<Object> list = new ArrayList<>();
        skipSpace();
        if (pos < text.length() && text.charAt(pos) == ']') {
            pos++;
            depth--;
            return list;
        }
        while (true) {
            skipSpace();
            list.add(value());
            skipSpace();
            if (pos >= text.length()) throw error("unexpected end of input inside an array");
            char c = text.charAt(pos++);
            if (c == ']') break;
            if (c != ',') {
                pos--;
                throw error("expected ',' or ']' in an array");
            }
        }
        depth--;
        return list;
    }

    private void expect(char c) throws FormatException {
        if (pos >= text.length() || text.charAt(pos) != c) throw error("expected '" + c + "'");
        pos++;
    }

    private String string() throws FormatException {
        pos++;
        StringBuilder sb = null;
        int start = pos;
        while (true) {
            if (pos >= text.length()) throw error("unterminated string");
            char c = text.charAt(pos);
            if (c == '"') {
                String s = sb == null ? text.substring(start, pos) : sb.append(text, start, pos).toString();
                pos++;
                return s;
            }
            if (c < 0x20) throw error("control character " + printable(c) + " inside a string");
            if (c == '\\') {
                if (sb == null) sb = new StringBuilder();
                sb.append(text, start, pos);
                pos++;
                if (pos >= text.length()) throw error("unterminated escape");
                char e = text.charAt(pos++);
                switch (e) {
                    case '"' -> sb.append('"');
                    case '\\' -> sb.append('\\');
                    case '/' -> sb.append('/');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'u' -> {
                        if (pos + 4 > text.length()) throw error("truncated \\u escape");
                        int cp = 0;
                        for (int i = 0; i < 4; i++) {
                            int d = Character.digit(text.charAt(pos + i), 16);
                            if (d < 0) throw error("bad hex digit in \\u escape");
                            cp = cp * 16 + d;
                        }
                        pos += 4;
                        sb.append((char) cp);
                    }
                    default -> {
                        pos--;
                        throw error("unknown escape \\" + printable(e));
                    }
                }
                start = pos;
            } else {
                pos++;
            }
        }
    }

    private Object number() throws FormatException {
        int start = pos;
        if (text.charAt(pos) == '-') pos++;
        if (pos >= text.length()) throw error("truncated number");
        if (text.charAt(pos) == '0') {
            pos++;
        } else if (Character.isDigit(text.charAt(pos))) {
            while (pos < text.length() && isDigit(text.charAt(pos))) pos++;
        } else {
            throw error("expected a digit");
        }
        boolean integral = true;
        if (pos < text.length() && text.charAt(pos) == '.') {
            integral = false;
            pos++;
            if (pos >= text.length() || !isDigit(text.charAt(pos))) throw error("expected a digit after '.'");
            while (pos < text.length() && isDigit(text.charAt(pos))) pos++;
        }
        if (pos < text.length() && (text.charAt(pos) == 'e' || text.charAt(pos) == 'E')) {
            integral = false;
            pos++;
            if (pos < text.length() && (text.charAt(pos) == '+' || text.charAt(pos) == '-')) pos++;
            if (pos >= text.length() || !isDigit(text.charAt(pos))) throw error("expected a digit in the exponent");
            while (pos < text.length() && isDigit(text.charAt(pos))) pos++;
        }
        String s = text.substring(start, pos);
        if (integral) {
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException beyondLong) {
                // an integer outside the long range: kept approximately, as a double (Python keeps it exactly)
            }
        }
        double d = Double.parseDouble(s);
        if (Double.isInfinite(d)) {
            pos = start;
            throw error("number " + (s.length() > 40 ? s.substring(0, 40) + "…" : s) + " is out of range (a double holds at most ±1.8e308)");
        }
        return d;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    // ---------------------------------------------------------------- writer

    /** Compact JSON text of a value built from maps, lists, strings, numbers, booleans and null. */
    public static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, -1, 0);
        return sb.toString();
    }

    /** Indented JSON text (two spaces), for files people read. */
    public static String writePretty(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, 2, 0);
        return sb.append('\n').toString();
    }

    private static void write(StringBuilder sb, Object v, int indent, int level) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof String s) {
            quote(sb, s);
        } else if (v instanceof Boolean b) {
            sb.append(b);
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (!Double.isFinite(d)) throw new IllegalArgumentException("JSON cannot represent " + d);
            boolean negativeZero = Double.compare(d, -0.0) == 0;   // (long) -0.0 would lose the sign
            if (d == Math.rint(d) && Math.abs(d) < 1e15 && !negativeZero) sb.append((long) d).append(".0");
            else sb.append(v instanceof Float f ? Float.toString(f) : Double.toString(d));
        } else if (v instanceof Number n) {
            sb.append(n.longValue());
        } else if (v instanceof Map<?, ?> m) {
            sb.append('{');
            Iterator<? extends Map.Entry<?, ?>> it = m.entrySet().iterator();
            boolean first = true;
            while (it.hasNext()) {
                Map.Entry<?, ?> e = it.next();
                if (!first) sb.append(',');
                first = false;
                newline(sb, indent, level + 1);
                quote(sb, String.valueOf(e.getKey()));
                sb.append(indent >= 0 ? ": " : ":");
                write(sb, e.getValue(), indent, level + 1);
            }
            if (!first) newline(sb, indent, level);
            sb.append('}');
        } else if (v instanceof Iterable<?> list) {
            sb.append('[');
            boolean first = true;
            for (Object o : list) {
                if (!first) sb.append(indent >= 0 ? ", " : ",");
                first = false;
                write(sb, o, indent, level + 1);
            }
            sb.append(']');
        } else if (v instanceof int[] a) {
            List<Object> l = new ArrayList<>();
            for (int x : a) l.add((long) x);
            write(sb, l, indent, level);
        } else if (v instanceof long[] a) {
            List<Object> l = new ArrayList<>();
            for (long x : a) l.add(x);
            write(sb, l, indent, level);
        } else {
            throw new IllegalArgumentException("cannot write " + v.getClass().getSimpleName() + " as JSON");
        }
    }

    private static void newline(StringBuilder sb, int indent, int level) {
        if (indent < 0) return;
        sb.append('\n');
        sb.append(" ".repeat(indent * level));
    }

    /** Appends s as a JSON string literal. */
    public static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }
}
