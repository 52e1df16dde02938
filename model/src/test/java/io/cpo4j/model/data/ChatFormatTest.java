package io.cpo4j.model.data;

import io.cpo4j.engine.io.FormatException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The chat renderings, character for character. The expected strings were checked against the real
 * templates rendered by Jinja2 3.1.6 as transformers renders them (trim_blocks, lstrip_blocks) for
 * [user, assistant] conversations: Llama 3's and Qwen3's from /work/shared, Mistral v0.1's for [INST].
 */
class ChatFormatTest {

    @TempDir
    Path dir;

    static final DollyRecord WITH_CONTEXT = new DollyRecord("When did Virgin Australia start operating?",
            "Virgin Australia commenced services on 31 August 2000.", "On 31 August 2000.", "closed_qa");
    static final DollyRecord WITHOUT_CONTEXT = new DollyRecord("Name a {context} placeholder", " ", "Like {instruction}.", "open_qa");

    @Test
    void chatml() {
        ChatFormat f = ChatFormat.CHATML;
        assertThat(f.render(WITH_CONTEXT)).isEqualTo("<|im_start|>user\nWhen did Virgin Australia start operating?\n\n"
                + "Virgin Australia commenced services on 31 August 2000.<|im_end|>\n<|im_start|>assistant\nOn 31 August 2000.<|im_end|>");
        assertThat(f.prompt(WITHOUT_CONTEXT)).isEqualTo("<|im_start|>user\nName a {context} placeholder<|im_end|>\n<|im_start|>assistant\n");
        assertThat(f.response(WITHOUT_CONTEXT)).isEqualTo("Like {instruction}.");
        assertThat(f.endOfTurn()).isEqualTo("<|im_end|>");
        assertThat(f.requiredSpecialTokens()).containsExactly("<|im_start|>", "<|im_end|>");
    }

    @Test
    void qwen3AddsTheEmptyThinkingBlockItRendersForAFinalAnswer() {
        ChatFormat f = ChatFormat.CHATML_EMPTY_THINK;
        // Jinja, Qwen3, [user, assistant]: this plus "\n" after <|im_end|>.
        assertThat(f.render(WITH_CONTEXT)).isEqualTo("<|im_start|>user\nWhen did Virgin Australia start operating?\n\n"
                + "Virgin Australia commenced services on 31 August 2000.<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\nOn 31 August 2000.<|im_end|>");
        // Jinja, Qwen3, [user], add_generation_prompt, enable_thinking=false: exactly this.
        assertThat(f.prompt(WITHOUT_CONTEXT)).isEqualTo("<|im_start|>user\nName a {context} placeholder<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n");
        assertThat(f.requiredSpecialTokens()).as("<think> may be an ordinary added token").containsExactly("<|im_start|>", "<|im_end|>");
    }

    @Test
    void llama3() {
        ChatFormat f = ChatFormat.LLAMA3;
        assertThat(f.render(WITH_CONTEXT)).isEqualTo("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nWhen did Virgin Australia start operating?\n\n"
                + "Virgin Australia commenced services on 31 August 2000.<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nOn 31 August 2000.<|eot_id|>");
        assertThat(f.prompt(WITHOUT_CONTEXT)).isEqualTo("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nName a {context} placeholder<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n");
        // The template trims every message.
        DollyRecord padded = new DollyRecord("  Hi\n", "", "\n Yo \n", "");
        assertThat(f.render(padded)).isEqualTo("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\nYo<|eot_id|>");
        assertThat(f.requiredSpecialTokens()).containsExactly("<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>");
    }

    @Test
    void inst() {
        ChatFormat f = ChatFormat.INST;
        assertThat(f.render(WITH_CONTEXT)).isEqualTo("<s>[INST] When did Virgin Australia start operating?\n\n"
                + "Virgin Australia commenced services on 31 August 2000. [/INST]On 31 August 2000.</s>");
        assertThat(f.prompt(WITHOUT_CONTEXT)).isEqualTo("<s>[INST] Name a {context} placeholder [/INST]");
        assertThat(f.requiredSpecialTokens()).containsExactly("<s>", "</s>");
    }

    /** Small templates with the markers of each family (abridged from the published ones). */
    static final String SMOLLM2 = "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
    static final String LLAMA31 = "{{- bos_token }}\n{%- if not date_string is defined %}\n    {%- set date_string = \"26 Jul 2024\" %}\n{%- endif %}\n{{- \"<|start_header_id|>system<|end_header_id|>\\n\\n\" }}\n{{- \"Cutting Knowledge Date: December 2023\\n\" }}\n{{- \"Today Date: \" + date_string + \"\\n\\n\" }}\n{{- system_message }}\n{{- \"<|eot_id|>\" }}\n{%- for message in messages %}\n    {{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' }}\n{%- endfor %}";
    static final String LLAMA2 = "{% for message in messages %}{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + message['content'].strip() + ' [/INST]' }}{% elif message['role'] == 'system' %}{{ '<<SYS>>\\n' + message['content'].strip() + '\\n<</SYS>>\\n\\n' }}{% elif message['role'] == 'assistant' %}{{ ' '  + message['content'].strip() + ' ' + eos_token }}{% endif %}{% endfor %}";
    static final String GEMMA = "{{ bos_token }}{% for message in messages %}{{ '<start_of_turn>' + message['role'] + '\\n' + message['content'] | trim + '<end_of_turn>\\n' }}{% endfor %}";

    @Test
    void detectsEachFamilyByItsMarkers() {
        assertThat(ChatFormat.detect(SMOLLM2)).contains(ChatFormat.CHATML);
        assertThat(ChatFormat.detect(LLAMA31)).contains(ChatFormat.LLAMA3);
        assertThat(ChatFormat.detect(LLAMA2)).contains(ChatFormat.INST);
        assertThat(ChatFormat.detect(GEMMA)).isEmpty();
        assertThat(ChatFormat.detect("")).isEmpty();
        assertThat(ChatFormat.detect(null)).isEmpty();
        assertThat(ChatFormat.detect("{{ '<|start_header_id|>' }}")).as("a header without <|eot_id|> is not Llama 3").isEmpty();
    }

    private static Path sharedTokenizer(String name) {
        Path p = Path.of(System.getProperty("cpo4j.root", "."), "..", "shared", "data", "hf-tokenizers", name).normalize();
        Assumptions.assumeTrue(Files.isDirectory(p), "shared data not present (skipping the real chat templates): " + p);
        return p;
    }

    @Test
    void detectsTheRealTemplates() throws IOException {
        ChatTemplateFile llama3 = ChatTemplateFile.read(sharedTokenizer("llama3")).orElseThrow();
        assertThat(ChatFormat.detect(llama3.template())).contains(ChatFormat.LLAMA3);
        assertThat(ChatFormat.detect(ChatTemplateFile.read(sharedTokenizer("qwen3")).orElseThrow().template())).contains(ChatFormat.CHATML_EMPTY_THINK);
        // sentencepiece-32k (a Llama 2 tokenizer) has "chat_template": null: the plain prompt.
        assertThat(ChatTemplateFile.read(sharedTokenizer("sentencepiece-32k"))).isEmpty();
    }

    @Test
    void readsTheTemplateAsAStringOrTheDefaultOfAList() throws IOException {
        Path config = dir.resolve("tokenizer_config.json");
        assertThat(ChatTemplateFile.read(dir)).as("no file").isEmpty();
        Files.writeString(config, "{\"bos_token\": \"<s>\"}");
        assertThat(ChatTemplateFile.read(dir)).isEmpty();
        Files.writeString(config, "{\"chat_template\": \"{{ '<|im_start|>' }}\"}");
        assertThat(ChatTemplateFile.read(dir)).contains(new ChatTemplateFile(config, "{{ '<|im_start|>' }}"));
        Files.writeString(config, "{\"chat_template\": [{\"name\": \"tool_use\", \"template\": \"[INST] tools [/INST]\"}, {\"name\": \"default\", \"template\": \"<|im_start|>\"}]}");
        assertThat(ChatTemplateFile.read(dir).map(ChatTemplateFile::template)).contains("<|im_start|>");
        Files.writeString(config, "{\"chat_template\": [{\"name\": \"tool_use\", \"template\": \"x\"}]}");
        assertThatThrownBy(() -> ChatTemplateFile.read(dir)).isInstanceOf(FormatException.class)
                .hasMessage(config + ": chat_template lists templates [tool_use] but none named \"default\"");
        Files.writeString(config, "{\"chat_template\": [{\"name\": \"default\"}]}");
        assertThatThrownBy(() -> ChatTemplateFile.read(dir)).hasMessage(config + ": chat_template[0] is not a {\"name\": string, \"template\": string} object");
        Files.writeString(config, "{\"chat_template\": 3}");
        assertThatThrownBy(() -> ChatTemplateFile.read(dir)).hasMessageStartingWith(config + ": chat_template is a number");
        Files.writeString(config, "{\"chat_template\": ");
        assertThatThrownBy(() -> ChatTemplateFile.read(dir)).isInstanceOf(FormatException.class).hasMessageStartingWith(config.toString());
    }
}
