package io.cpo4j.tests;

import io.cpo4j.model.gpt.Gpt;
import io.cpo4j.model.gpt.GptConfig;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The model itself refuses what it cannot compute, with a message that says why: sequences longer
 * than its context length (no silent truncation, no position-embedding overrun) and token ids
 * outside its vocabulary (e.g. data tokenized with another tokenizer).
 */
class InputLimitsTest {

    static final GptConfig CONFIG = new GptConfig(50, 8, 1, 2, 16, 0f, 1e-5f);   // vocab 50, context 8

    @Test
    void sequencesBeyondTheContextLengthAreRefused() {
        Gpt gpt = Gpt.create(CONFIG, 1);
        int[] nine = new int[9];
        assertThatThrownBy(() -> gpt.logits(nine, 1, 9)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("gpt2 input: sequence length 9 exceeds the context length 8");
        assertThatThrownBy(() -> gpt.loss(nine, nine, 1, 9)).hasMessageContaining("exceeds the context length 8");
    }

    @Test
    void tokenIdsOutsideTheVocabularyAreRefused() {
        Gpt gpt = Gpt.create(CONFIG, 1);
        assertThatThrownBy(() -> gpt.logits(new int[] {3, 50, 1}, 1, 3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("gpt2 input: token id 50 at position 1 is outside the vocabulary [0, 50)");
        assertThatThrownBy(() -> gpt.logits(new int[] {-1}, 1, 1)).hasMessageContaining("token id -1 at position 0");
    }
}
