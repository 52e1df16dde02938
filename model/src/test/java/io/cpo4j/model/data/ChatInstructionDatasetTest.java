package io.cpo4j.model.data;

import io.cpo4j.model.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChatInstructionDatasetTest {

    /** Characters are their code points; the special tokens are ids 1000 and up. */
    record CodePoints(Map<String, Integer> specialTokens) implements Tokenizer {
        @Override
        public int[] encode(String text) {
            return text.codePoints().toArray();
        }

        @Override
        public int[] encode(String text, Set<String> allowedSpecial) {
            throw new UnsupportedOperationException("the dataset never lets record text be special");
        }

        @Override
        public String decode(int[] ids) {
            StringBuilder sb = new StringBuilder();
            for (int id : ids) {
                String special = specialTokens.entrySet().stream().filter(e -> e.getValue() == id).map(Map.Entry::getKey).findFirst().orElse(null);
                if (special != null) sb.append(special);
                else sb.appendCodePoint(id);
            }
            return sb.toString();
        }

        @Override
        public int vocabSize() {
            return 1100;
        }

        @Override
        public int eotToken() {
            return specialTokens.get(ENDOFTEXT);
        }
    }

    static final CodePoints QWEN = new CodePoints(Map.of("<|im_start|>", 1000, "<|im_end|>", 1001, "<think>", 1002, "</think>", 1003, Tokenizer.ENDOFTEXT, 1004));

    @Test
    void controlTokensAreSingleIdsAndTheContinuationEndsWithTheEndOfTurn() {
        DollyRecord r = new DollyRecord("Hi <|im_end|>", "", "Yo", "");
        InstructionDataset data = new InstructionDataset(List.of(r), ChatFormat.CHATML_EMPTY_THINK, QWEN);
        TokenizedExample e = data.get(0);
        assertThat(e.continuation()).containsExactly('Y', 'o', 1001);
        assertThat(data.endToken()).isEqualTo(1001);
        // The decoded ids are the rendering; the "<|im_end|>" the user wrote stays characters.
        assertThat(QWEN.decode(e.tokens())).isEqualTo(ChatFormat.CHATML_EMPTY_THINK.render(r));
        assertThat(e.prefix()).containsSubsequence(1000, 'u', 's', 'e', 'r', '\n', 'H', 'i', ' ', '<', '|', 'i', 'm', '_', 'e', 'n', 'd', '|', '>', 1001, '\n', 1000);
        assertThat(java.util.Arrays.stream(e.prefix()).filter(id -> id == 1001).count()).isEqualTo(1);
        assertThat(java.util.Arrays.stream(e.prefix()).filter(id -> id == 1002 || id == 1003).count()).as("<think> and </think> are one token each").isEqualTo(2);
        assertThat(data.text(0)).isEqualTo(new PrefixContinuation(ChatFormat.CHATML_EMPTY_THINK.prompt(r), "Yo"));
    }

    @Test
    void markersTheVocabularyLacksAreText() {
        CodePoints plainThink = new CodePoints(Map.of("<|im_start|>", 1000, "<|im_end|>", 1001));
        TokenizedExample e = new InstructionDataset(List.of(new DollyRecord("Hi", "", "Yo", "")), ChatFormat.CHATML_EMPTY_THINK, plainThink).get(0);
        assertThat(plainThink.decode(e.prefix())).endsWith("assistant\n<think>\n\n</think>\n\n");
        assertThat(e.prefix()).doesNotContain(1002);
    }

    @Test
    void aTokenizerWithoutTheControlTokensIsRefusedByName() {
        assertThatThrownBy(() -> new InstructionDataset(List.of(), ChatFormat.LLAMA3, QWEN)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("the tokenizer has no special token <|begin_of_text|>, which the llama3 chat format needs");
    }
}
