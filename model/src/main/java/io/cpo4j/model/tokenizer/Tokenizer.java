package io.cpo4j.model.tokenizer;

import java.util.Map;
import java.util.Set;

/**
 * Text ↔ token ids. Implementations are immutable and safe to share between threads.
 *
 * <p>Special tokens ({@code <|endoftext|>}) are recognised only when the caller allows them, as in
 * tiktoken: {@link #encode(String)} treats their text as ordinary characters, so text from users
 * or data files can never inject a control token. The one exception is {@link HfTokenizer}, whose
 * {@code encode(String)} is HuggingFace's {@code encode(text, add_special_tokens=False)} and so
 * does recognise added tokens ({@code <|im_start|>}) in the text, as chat templates expect; its
 * {@link HfTokenizer#encodePlain} and {@link #encode(String, Set)} keep the rule above.
 */
public interface Tokenizer {

    /** The token that ends a document or a response, as GPT-2 names it. */
    String ENDOFTEXT = "<|endoftext|>";

    /** Token ids of a text; special-token text is encoded as plain text (except by {@link HfTokenizer}, see above). */
    int[] encode(String text);

    /**
     * Token ids of a text in which the listed special tokens (for example {@link #ENDOFTEXT}) are
     * recognised as themselves. Naming a special token the vocabulary lacks is an error.
     */
    int[] encode(String text, Set<String> allowedSpecial);

    /**
     * The text of token ids. Never fails on ids that stop in the middle of a character: invalid
     * UTF-8 becomes U+FFFD, as Python's {@code bytes.decode("utf-8", errors="replace")}. An id
     * outside the vocabulary is an {@link IllegalArgumentException}.
     */
    String decode(int[] ids);

    /** Number of ids: every id is in [0, vocabSize). */
    int vocabSize();

    /** The id of the token that ends a text ({@link #endOfText()}); {@link IllegalStateException} if the vocabulary has none. */
    int eotToken();

    /**
     * The text of the token that ends a text: GPT-2's {@link #ENDOFTEXT}, or a HuggingFace
     * tokenizer's {@code eos_token} ({@code <|end_of_text|>} in Llama 3, {@code </s>} in Llama 2).
     */
    default String endOfText() {
        return ENDOFTEXT;
    }

    /** Special tokens by text (empty when there are none). */
    Map<String, Integer> specialTokens();
}
