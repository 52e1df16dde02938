package io.cpo4j.model.tokenizer;

import io.cpo4j.engine.io.FormatException;
import io.cpo4j.engine.io.Json;

import java.util.List;
import java.util.Map;

/**
 * The special tokens the {@code post_processor} of {@code tokenizer.json} puts around a single
 * text: its {@code TemplateProcessing} {@code single} template (also inside a {@code Sequence}),
 * such as {@code <s> $A}. Other post-processors ({@code ByteLevel}) add no tokens.
 */
record HfPostProcessor(int[] prefix, int[] suffix) {

    static final HfPostProcessor NONE = new HfPostProcessor(new int[0], new int[0]);

    static HfPostProcessor parse(HfJson json, Map<String, Object> config, Map<String, Integer> ids) throws FormatException {
        return config == null ? NONE : parse(json, config, "post_processor", ids);
    }

    private static HfPostProcessor parse(HfJson json, Map<String, Object> config, String path, Map<String, Integer> ids) throws FormatException {
        String type = json.type(config, path);
        if (type.equals("Sequence")) {
            List<Object> items = json.array(config, "processors", path + ".processors");
            HfPostProcessor found = NONE;
            for (int i = 0; i < items.size(); i++) {
                HfPostProcessor p = parse(json, json.objectAt(items, i, path + ".processors"), path + ".processors[" + i + "]", ids);
                if (p != NONE) found = p;
            }
            return found;
        }
        if (!type.equals("TemplateProcessing")) return NONE;
        List<Object> single = json.array(config, "single", path + ".single");
        Map<String, Object> specials = config.get("special_tokens") == null ? Map.of() : json.object(config, "special_tokens", path + ".special_tokens");
        IntList prefix = new IntList(), suffix = new IntList();
        boolean seenSequence = false;
        for (int i = 0; i < single.size(); i++) {
            String at = path + ".single[" + i + "]";
            Map<String, Object> item = json.objectAt(single, i, path + ".single");
            if (item.get("Sequence") != null) {
                seenSequence = true;
                continue;
            }
            Map<String, Object> special = json.object(item, "SpecialToken", at + ".SpecialToken");
            String name = json.string(special, "id", at + ".SpecialToken.id");
            IntList target = seenSequence ? suffix : prefix;
            if (specials.get(name) != null) {
                Map<String, Object> entry = json.object(specials, name, path + ".special_tokens." + name);
                List<Object> list = json.array(entry, "ids", path + ".special_tokens." + name + ".ids");
                for (int k = 0; k < list.size(); k++) target.add(json.integer(list.get(k), 0, Integer.MAX_VALUE, path + ".special_tokens." + name + ".ids[" + k + "]"));
            } else {
                Integer id = ids.get(name);
                if (id == null) throw json.error(at + ".SpecialToken.id", "is " + Json.write(name) + ", which is not a token");
                target.add(id);
            }
        }
        return new HfPostProcessor(prefix.toArray(), suffix.toArray());
    }
}
