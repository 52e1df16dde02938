package io.cpo4j.model.tokenizer;

import io.cpo4j.engine.io.FormatException;
import io.cpo4j.engine.io.Json;

import java.util.List;
import java.util.Map;

/**
 * Typed reads of fields of a parsed HuggingFace tokenizer file, whose errors name the file and the
 * field's path ({@code pre_tokenizer.pretokenizers[0].pattern.Regex}) in one line.
 */
final class HfJson {

    final String file;

    HfJson(String file) {
        this.file = file;
    }

    FormatException error(String path, String problem) {
        return new FormatException(file, "field \"" + path + "\" " + problem);
    }

    /** A required object field. */
    @SuppressWarnings("unchecked")
    Map<String, Object> object(Map<String, Object> obj, String key, String path) throws FormatException {
        Object v = obj.get(key);
        if (v instanceof Map) return (Map<String, Object>) v;
        throw error(path, v == null ? "is missing" : "must be an object, found " + show(v));
    }

    /** An object field, or null when absent or JSON null. */
    Map<String, Object> optionalObject(Map<String, Object> obj, String key, String path) throws FormatException {
        return obj.get(key) == null ? null : object(obj, key, path);
    }

    @SuppressWarnings("unchecked")
    List<Object> array(Map<String, Object> obj, String key, String path) throws FormatException {
        Object v = obj.get(key);
        if (v instanceof List) return (List<Object>) v;
        throw error(path, v == null ? "is missing" : "must be an array, found " + show(v));
    }

    /** An element of an array that must be an object. */
    @SuppressWarnings("unchecked")
    Map<String, Object> objectAt(List<Object> list, int i, String path) throws FormatException {
        Object v = list.get(i);
        if (v instanceof Map) return (Map<String, Object>) v;
        throw error(path + "[" + i + "]", "must be an object, found " + show(v));
    }

    String string(Map<String, Object> obj, String key, String path) throws FormatException {
        Object v = obj.get(key);
        if (v instanceof String s) return s;
        throw error(path, v == null ? "is missing" : "must be a string, found " + show(v));
    }

    /** A string field, or null when absent or JSON null. */
    String optionalString(Map<String, Object> obj, String key, String path) throws FormatException {
        return obj.get(key) == null ? null : string(obj, key, path);
    }

    boolean flag(Map<String, Object> obj, String key, boolean fallback, String path) throws FormatException {
        Object v = obj.get(key);
        if (v == null) return fallback;
        if (v instanceof Boolean b) return b;
        throw error(path, "must be true or false, found " + show(v));
    }

    /** An integer field in [min, max]. */
    int integer(Map<String, Object> obj, String key, int min, int max, String path) throws FormatException {
        Object v = obj.get(key);
        if (v == null) throw error(path, "is missing");
        return integer(v, min, max, path);
    }

    int integer(Object v, int min, int max, String path) throws FormatException {
        if (!(v instanceof Long l)) throw error(path, "must be an integer, found " + show(v));
        if (l < min || l > max) throw error(path, "is " + l + ", expected an integer in [" + min + ", " + max + "]");
        return (int) (long) l;
    }

    /** The "type" of a component, for dispatch. */
    String type(Map<String, Object> obj, String path) throws FormatException {
        return string(obj, "type", path + ".type");
    }

    FormatException unknownType(String path, String type, String known) {
        return error(path + ".type", "is " + Json.write(type) + ", which this library does not support (supported: " + known + ")");
    }

    static String show(Object v) {
        if (v instanceof Map<?, ?> m) return "an object of " + m.size() + " fields";
        if (v instanceof List<?> l) return "an array of " + l.size() + " items";
        String text = Json.write(v);
        if (text.length() > 40) text = text.substring(0, 40) + "…";
        return Json.kind(v) + " (" + text + ")";
    }
}
