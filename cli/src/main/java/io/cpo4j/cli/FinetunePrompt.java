package io.cpo4j.cli;

import io.cpo4j.engine.io.FormatException;
import io.cpo4j.model.data.ChatFormat;
import io.cpo4j.model.data.ChatTemplateFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The prompt Dolly records get in {@code finetune} ({@code --prompt-format}): {@code auto} (the default)
 * takes the chat convention of the first {@code chat_template} found in the tokenizer folder's, then the
 * model folder's, {@code tokenizer_config.json}, and Alpaca's plain prompt when there is none; {@code chat}
 * insists on a chat template; {@code plain} always uses Alpaca's prompt. A template of no supported
 * convention is an error rather than a silent fall back to plain: fine-tuning an instruct model on a
 * prompt it was never trained with is rarely what was meant.
 *
 * @param chat        the chat convention, or null for the plain prompt
 * @param description one line for the log: what was chosen and why
 */
record FinetunePrompt(ChatFormat chat, String description) {

    static final List<String> CHOICES = List.of("auto", "plain", "chat");

    Optional<ChatFormat> chatFormat() {
        return Optional.ofNullable(chat);
    }

    /**
     * @param folders where to look for tokenizer_config.json, first first (the tokenizer folder, then the model folder)
     */
    static FinetunePrompt choose(String choice, List<Path> folders) throws IOException {
        if (choice.equals("plain")) return new FinetunePrompt(null, "Alpaca prompt (--prompt-format plain)");
        Optional<ChatTemplateFile> template = Optional.empty();
        for (Path dir : folders.stream().distinct().toList()) {
            template = ChatTemplateFile.read(dir);
            if (template.isPresent()) break;
        }
        if (template.isEmpty()) {
            String where = String.join(" or ", folders.stream().distinct().map(d -> d.resolve(ChatTemplateFile.FILE).toString()).toList());
            if (choice.equals("chat")) {
                throw new Options.UsageException("finetune: --prompt-format chat needs a chat_template in " + where);
            }
            return new FinetunePrompt(null, "Alpaca prompt: no chat_template in " + where);
        }
        ChatTemplateFile t = template.get();
        Optional<ChatFormat> format = ChatFormat.detect(t.template());
        if (format.isEmpty()) {
            throw new FormatException(t.file().toString(), "chat_template follows none of the supported conventions: " + ChatFormat.supported()
                    + "; pass --prompt-format plain for Alpaca's prompt");
        }
        return new FinetunePrompt(format.get(), format.get().id() + " chat format, recognised from the chat_template of " + t.file()
                + " (no system turn; the response ends with " + format.get().endOfTurn() + ")");
    }
}
