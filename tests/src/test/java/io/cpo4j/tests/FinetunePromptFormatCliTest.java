package io.cpo4j.tests;

import io.cpo4j.engine.io.Json;
import io.cpo4j.model.data.PromptTemplate;
import io.cpo4j.model.gpt.Gpt;
import io.cpo4j.model.gpt.GptConfig;
import io.cpo4j.model.hf.HfCheckpoint;
import io.cpo4j.model.tokenizer.CharTokenizer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code finetune --prompt-format}: which prompt Dolly records get, chosen from the chat_template
 * of tokenizer_config.json, and the one-line errors when that cannot work. A character model, so
 * the chat control tokens are absent: the runs that complete use Alpaca's prompt.
 */
class FinetunePromptFormatCliTest {

    @TempDir
    Path dir;

    Path model, data;

    static final String GEMMA = "{{ bos_token }}{% for message in messages %}{{ '<start_of_turn>' + message['role'] + '\\n' + message['content'] | trim + '<end_of_turn>\\n' }}{% endfor %}";
    static final String CHATML = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}";

    @BeforeEach
    void smallModelAndDolly() throws Exception {
        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            jsonl.append(Json.write(Map.of("instruction", "Count to " + i + ".", "context", i % 2 == 0 ? "" : "Start at 1.", "response", "1 2 " + i))).append('\n');
        }
        data = dir.resolve("mini.jsonl");
        Files.writeString(data, jsonl);
        String alphabet = PromptTemplate.ALPACA.prefix("x", "y") + PromptTemplate.ALPACA.prefix("x", "") + jsonl;
        CharTokenizer chars = CharTokenizer.fromText(alphabet);
        model = dir.resolve("model");
        HfCheckpoint.save(Gpt.create(new GptConfig(chars.vocabSize(), 256, 1, 1, 8, 0f, 1e-5f), 1), model, chars.eotToken());
        chars.save(model);
    }

    private CliRun finetune(String out, Object... more) {
        Object[] base = {"finetune", "--model", model, "--data", data, "--out", dir.resolve(out), "--loss-type", "mle", "--steps", 1, "--batch", 2,
                "--val-fraction", 0.2, "--report-samples", 0};
        Object[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return CliRun.of(all);
    }

    private String promptFormat(String run) throws Exception {
        Map<String, Object> config = Json.parseObject(Files.readString(dir.resolve(run).resolve("config.json")), "config.json");
        return (String) ((Map<?, ?>) config.get("data")).get("prompt_format");
    }

    @Test
    void withoutAChatTemplateTheAlpacaPromptIsUsedAndLogged() throws Exception {
        CliRun r = finetune("plain").ok();
        assertThat(r.out()).contains("finetune: prompt: Alpaca prompt: no chat_template in " + model.resolve("tokenizer_config.json"),
                "(Alpaca prompt → response + <|endoftext|>)");
        assertThat(promptFormat("plain")).isEqualTo("plain");
        // A tokenizer_config.json whose chat_template is null is the same.
        Files.writeString(model.resolve("tokenizer_config.json"), "{\"chat_template\": null, \"eos_token\": \"</s>\"}");
        assertThat(finetune("null-template").ok().out()).contains("finetune: prompt: Alpaca prompt: no chat_template in ");
    }

    @Test
    void anUnknownConventionIsAOneLineErrorUntilPlainIsAskedFor() throws Exception {
        Path config = model.resolve("tokenizer_config.json");
        Files.writeString(config, Json.write(Map.of("chat_template", GEMMA)));
        finetune("gemma").failsWith(1, config + ": chat_template follows none of the supported conventions: ChatML (<|im_start|>, e.g. Qwen, SmolLM2), "
                + "Llama 3 (<|start_header_id|>, <|eot_id|>), [INST] (Llama 2, Mistral); pass --prompt-format plain for Alpaca's prompt");
        CliRun r = finetune("gemma-plain", "--prompt-format", "plain").ok();
        assertThat(r.out()).contains("finetune: prompt: Alpaca prompt (--prompt-format plain)");
        assertThat(promptFormat("gemma-plain")).isEqualTo("plain");
    }

    @Test
    void aRecognisedChatNeedsItsControlTokensInTheVocabulary() throws Exception {
        Files.writeString(model.resolve("tokenizer_config.json"), Json.write(Map.of("chat_template", CHATML)));
        finetune("chatml").failsWith(1, "the tokenizer has no <|im_end|> token, which ends continuations and negatives in the chatml chat format; "
                + "pass --prompt-format plain for Alpaca's prompt");
        // A list of templates: the one named "default" counts.
        Files.writeString(model.resolve("tokenizer_config.json"), "{\"chat_template\": [{\"name\": \"tool_use\", \"template\": " + Json.write(GEMMA)
                + "}, {\"name\": \"default\", \"template\": \"{{ '<|begin_of_text|><|start_header_id|>' }}{{ '<|eot_id|>' }}\"}]}");
        finetune("llama3").failsWith(1, "the tokenizer has no <|eot_id|> token, which ends continuations and negatives in the llama3 chat format");
    }

    @Test
    void theTokenizerFolderIsAskedBeforeTheModelFolder() throws Exception {
        Path tokenizer = dir.resolve("tokenizer");
        Files.createDirectories(tokenizer);
        CharTokenizer.load(model.resolve(CharTokenizer.FILE)).save(tokenizer);
        Files.writeString(tokenizer.resolve("tokenizer_config.json"), Json.write(Map.of("chat_template", GEMMA)));
        Files.writeString(model.resolve("tokenizer_config.json"), Json.write(Map.of("chat_template", CHATML)));
        finetune("separate", "--tokenizer", tokenizer).failsWith(1, tokenizer.resolve("tokenizer_config.json") + ": chat_template follows none");
    }

    @Test
    void flagMistakesAreUsageErrorsBeforeTheRunFolderExists() {
        finetune("bogus", "--prompt-format", "jinja").failsWith(2, "--prompt-format must be one of [auto, plain, chat], got 'jinja'");
        assertThat(dir.resolve("bogus")).doesNotExist();
        finetune("no-template", "--prompt-format", "chat").failsWith(2, "--prompt-format chat needs a chat_template in " + model.resolve("tokenizer_config.json"));
        CliRun.of("finetune", "--model", model, "--data", data, "--data-format", "text", "--prompt-format", "plain", "--out", dir.resolve("text"))
                .failsWith(2, "--prompt-format applies to --data-format dolly, not text");
    }
}
