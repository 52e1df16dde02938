package io.cpo4j.model.data;

import io.cpo4j.engine.io.FormatException;
import io.cpo4j.engine.io.Json;
import io.cpo4j.model.tokenizer.Utf8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code chat_template} of a HuggingFace folder's {@code tokenizer_config.json}: a Jinja string,
 * or a list of {@code {"name", "template"}} objects of which the one named "default" is the chat
 * template (as transformers chooses when no name is asked for). Only the string is read; the
 * tokenizer itself is someone else's business.
 *
 * @param file     the tokenizer_config.json it came from
 * @param template the Jinja text
 */
public record ChatTemplateFile(Path file, String template) {

    public static final String FILE = "tokenizer_config.json";

    /** The folder's chat template; empty when the folder has no tokenizer_config.json or it has no (or a null) chat_template. */
    public static Optional<ChatTemplateFile> read(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) return Optional.empty();
        String source = file.toString();
        Map<String, Object> config = Json.parseObject(Utf8.readFile(file), source);
        Object t = config.get("chat_template");
        if (t == null) return Optional.empty();
        if (t instanceof String s) return Optional.of(new ChatTemplateFile(file, s));
        if (!(t instanceof List<?> list)) {
            throw new FormatException(source, "chat_template is " + Json.kind(t) + "; expected a string or a list of {\"name\", \"template\"} objects");
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Map<?, ?> m) || !(m.get("name") instanceof String name) || !(m.get("template") instanceof String template)) {
                throw new FormatException(source, "chat_template[" + i + "] is not a {\"name\": string, \"template\": string} object");
            }
            if (name.equals("default")) return Optional.of(new ChatTemplateFile(file, template));
            names.add(name);
        }
        throw new FormatException(source, "chat_template lists templates " + names + " but none named \"default\"");
    }
}
