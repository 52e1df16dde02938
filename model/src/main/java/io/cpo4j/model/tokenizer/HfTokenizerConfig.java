package io.cpo4j.model.tokenizer;

import io.cpo4j.engine.io.FormatException;
import io.cpo4j.engine.io.Json;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What this library reads of {@code tokenizer_config.json}: {@code bos_token} and
 * {@code eos_token} (a string, or an {@code AddedToken} object with {@code content}), whether
 * {@code encode(…, addSpecialTokens=true)} adds them ({@code add_bos_token}, {@code add_eos_token};
 * null when the file does not say), and the {@code chat_template} (a string, or a list of named
 * templates of which {@code default} is taken).
 */
record HfTokenizerConfig(String file, int bosId, int eosId, Boolean addBos, Boolean addEos, String chatTemplate) {

    static HfTokenizerConfig read(Path configJson, Map<String, Integer> ids) throws IOException {
        if (configJson == null) return new HfTokenizerConfig(null, -1, -1, null, null, null);
        HfJson json = new HfJson(configJson.toString());
        Map<String, Object> root = Json.parseObject(Utf8.readFile(configJson), json.file);
        Boolean addBos = root.get("add_bos_token") == null ? null : json.flag(root, "add_bos_token", false, "add_bos_token");
        Boolean addEos = root.get("add_eos_token") == null ? null : json.flag(root, "add_eos_token", false, "add_eos_token");
        return new HfTokenizerConfig(json.file, tokenId(json, root, "bos_token", ids), tokenId(json, root, "eos_token", ids),
                addBos, addEos, chatTemplate(json, root));
    }

    /** The id of a token field, −1 when absent or null. */
    private static int tokenId(HfJson json, Map<String, Object> root, String key, Map<String, Integer> ids) throws FormatException {
        Object v = root.get(key);
        if (v == null) return -1;
        String text;
        if (v instanceof String s) text = s;
        else if (v instanceof Map) text = json.string(json.object(root, key, key), "content", key + ".content");
        else throw json.error(key, "must be a string or an AddedToken object, found " + HfJson.show(v));
        Integer id = ids.get(text);
        if (id == null) throw json.error(key, "is " + Json.write(HfTokenizerFiles.cut(text)) + ", which is not a token of tokenizer.json");
        return id;
    }

    private static String chatTemplate(HfJson json, Map<String, Object> root) throws FormatException {
        Object v = root.get("chat_template");
        if (v == null || v instanceof String) return (String) v;
        if (!(v instanceof List<?> list)) throw json.error("chat_template", "must be a string or a list of {name, template}, found " + HfJson.show(v));
        String first = null;
        for (int i = 0; i < list.size(); i++) {
            Map<String, Object> item = json.objectAt(json.array(root, "chat_template", "chat_template"), i, "chat_template");
            String name = json.string(item, "name", "chat_template[" + i + "].name");
            String template = json.string(item, "template", "chat_template[" + i + "].template");
            if (name.equals("default")) return template;
            if (first == null) first = template;
        }
        return first;
    }

    /** The id of a token a flag needs, or an error naming both fields. */
    int require(int id, String tokenField, String flagField) throws FormatException {
        if (id < 0) throw new FormatException(file, "field \"" + flagField + "\" is true but \"" + tokenField + "\" names no token");
        return id;
    }
}
