package io.cpo4j.cli;

import io.cpo4j.engine.io.Json;
import io.cpo4j.model.data.ChatFormat;
import io.cpo4j.model.data.TokenizedExample;
import io.cpo4j.model.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** finetune's Dolly data in a chat format, with a tokenizer that has the chat's control tokens (none of the shipped ones has). */
class FinetuneDataChatTest {

    @TempDir
    Path dir;

    /** Characters are their code points; Llama 3's control tokens are ids 1000 and up. */
    static final Tokenizer LLAMA3_LIKE = new Tokenizer() {
        final Map<String, Integer> specials = Map.of("<|begin_of_text|>", 1000, "<|start_header_id|>", 1001, "<|end_header_id|>", 1002, "<|eot_id|>", 1003);

        @Override
        public int[] encode(String text) {
            return text.codePoints().toArray();
        }

        @Override
        public int[] encode(String text, Set<String> allowedSpecial) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String decode(int[] ids) {
            StringBuilder sb = new StringBuilder();
            for (int id : ids) {
                String s = specials.entrySet().stream().filter(e -> e.getValue() == id).map(Map.Entry::getKey).findFirst().orElse(null);
                if (s != null) sb.append(s);
                else sb.appendCodePoint(id);
            }
            return sb.toString();
        }

        @Override
        public int vocabSize() {
            return 1004;
        }

        @Override
        public int eotToken() {
            throw new IllegalStateException("no <|endoftext|>");
        }

        @Override
        public Map<String, Integer> specialTokens() {
            return specials;
        }
    };

    @Test
    void dollyRecordsBecomeLlama3TurnsEndedByEotId() throws Exception {
        Path file = dir.resolve("d.jsonl");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 20; i++) sb.append(Json.write(Map.of("instruction", "Q" + i, "context", i % 2 == 0 ? "" : "C" + i, "response", " A" + i + " "))).append('\n');
        Files.writeString(file, sb);
        FinetuneData.Sides sides = FinetuneData.load(file, "dolly", Optional.of(ChatFormat.LLAMA3), LLAMA3_LIKE, 0.2, Integer.MAX_VALUE, false, 8, 8, new ArrayList<>());
        assertThat(sides.description()).endsWith("(llama3 chat prompt → response + <|eot_id|>)");
        List<TokenizedExample> examples = FinetuneData.examples(sides.train(), 200, 150, 100);
        assertThat(examples).hasSize(sides.train().size()).isNotEmpty();
        for (int i = 0; i < sides.train().size(); i++) {
            TokenizedExample e = examples.get(i);
            assertThat(e.continuation()[e.continuation().length - 1]).isEqualTo(1003);
            String text = LLAMA3_LIKE.decode(e.tokens());
            assertThat(text).startsWith("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nQ")
                    .containsPattern("<\\|eot_id\\|><\\|start_header_id\\|>assistant<\\|end_header_id\\|>\n\nA\\d+<\\|eot_id\\|>$");
            int k = Integer.parseInt(text.replaceAll("(?s).*\n\nA(\\d+)<.*", "$1"));
            // The context follows the instruction after a blank line; the response is trimmed, as Llama 3's template does.
            assertThat(text).contains(k % 2 == 1 ? "\n\nQ" + k + "\n\nC" + k + "<|eot_id|>" : "\n\nQ" + k + "<|eot_id|>");
        }
        assertThatThrownBy(() -> FinetuneData.load(file, "dolly", Optional.of(ChatFormat.CHATML), LLAMA3_LIKE, 0.2, 100, false, 8, 8, new ArrayList<>()))
                .hasMessageStartingWith("the tokenizer has no special token <|im_start|>, which the chatml chat format needs")
                .hasMessageEndingWith("; pass --prompt-format plain for Alpaca's prompt");
    }
}
