package io.cpo4j.model.tokenizer;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The three real tokenizers of ../shared/data/hf-tokenizers (Llama 3, Qwen3, a SentencePiece
 * vocabulary) against the ids transformers.js gives for the hard strings of
 * tools/tokenizer-reference/cases.json. Skipped when the shared data is absent; the small
 * committed tokenizers of {@link HfTokenizerTest} test the same logic without it.
 */
class HfTokenizerRealFilesTest {

    private static final java.util.Map<String, HfTokenizer> LOADED = new java.util.concurrent.ConcurrentHashMap<>();

    /** Each tokenizer is read once for all the tests (Llama 3's file is 9 MB). */
    private static HfTokenizer load(String name) throws IOException {
        Path dir = SharedFiles.dataFile("hf-tokenizers/" + name);
        HfTokenizer t = LOADED.get(name);
        if (t == null) {
            t = HfTokenizerFiles.load(dir);
            LOADED.put(name, t);
        }
        return t;
    }

    private static void matchesReference(String name) throws IOException {
        HfTokenizer tokenizer = load(name);
        HfReferenceCases expected = HfReferenceCases.read(name + ".expected.json");
        assertThat(expected.cases()).hasSizeGreaterThan(30);
        for (HfReferenceCases.Case c : expected.cases()) {
            assertThat(tokenizer.encode(c.text())).as("%s: ids of %s", name, io.cpo4j.engine.io.Json.write(c.text())).containsExactly(c.ids());
            assertThat(tokenizer.encode(c.text(), true)).as("%s: ids with special tokens of %s", name, io.cpo4j.engine.io.Json.write(c.text()))
                    .containsExactly(c.idsWithSpecial());
            assertThat(tokenizer.decode(c.ids())).as("%s: decode of %s", name, io.cpo4j.engine.io.Json.write(c.text())).isEqualTo(c.decoded());
            // Without added tokens (whose neighbours SentencePiece's Prepend gives a ▁ each), decoding gives the text back.
            if (!c.text().contains("<")) assertThat(c.decoded()).isEqualTo(roundTripText(name, c.text()));
        }
    }

    /** What decoding gives back: Qwen3 normalizes to NFC, the others keep the text as it is. */
    private static String roundTripText(String name, String text) {
        return name.equals("qwen3") ? java.text.Normalizer.normalize(text, java.text.Normalizer.Form.NFC) : text;
    }

    @Test
    void llama3MatchesTransformersJs() throws IOException {
        matchesReference("llama3");
    }

    @Test
    void qwen3MatchesTransformersJs() throws IOException {
        matchesReference("qwen3");
    }

    @Test
    void sentencePieceMatchesTransformersJs() throws IOException {
        matchesReference("sentencepiece-32k");
    }

    @Test
    void tokenizersLoadRecognisesTheFolders() throws IOException {
        Tokenizer t = Tokenizers.load(SharedFiles.dataFile("hf-tokenizers/sentencepiece-32k"));
        assertThat(t).isInstanceOf(HfTokenizer.class);
        assertThat(t.vocabSize()).isEqualTo(32000);
        assertThat(t.eotToken()).isEqualTo(2);   // </s>
        assertThat(load("llama3").vocabSize()).isEqualTo(128256);
        assertThat(load("llama3").eotToken()).isEqualTo(128001);   // <|end_of_text|>
        assertThat(t.endOfText()).isEqualTo("</s>");
        assertThat(load("llama3").endOfText()).as("what ends a text in finetune, generate and tokenize --allow-special").isEqualTo("<|end_of_text|>");
        assertThat(load("qwen3").endOfText()).isEqualTo("<|im_end|>");
    }

    @Test
    void configGivesBosEosAndTheChatTemplate() throws IOException {
        HfTokenizer qwen = load("qwen3");
        assertThat(qwen.eosToken()).hasValue(151645);      // <|im_end|>
        assertThat(qwen.bosToken()).isEmpty();
        assertThat(qwen.chatTemplate()).hasValueSatisfying(t -> assertThat(t).contains("<|im_start|>"));
        assertThat(qwen.addedTokens()).containsEntry("<think>", 151667);
        assertThat(qwen.specialTokens()).doesNotContainKey("<think>").containsEntry("<|im_start|>", 151644);
        HfTokenizer sp = load("sentencepiece-32k");
        assertThat(sp.bosToken()).hasValue(1);
        assertThat(sp.eosToken()).hasValue(2);
        assertThat(sp.chatTemplate()).isEmpty();
    }

    @Test
    void plainEncodingDoesNotRecogniseAddedTokens() throws IOException {
        HfTokenizer qwen = load("qwen3");
        String text = "<|im_start|>user";
        assertThat(qwen.encode(text)[0]).isEqualTo(151644);
        int[] plain = qwen.encodePlain(text);
        assertThat(Arrays.stream(plain).noneMatch(id -> id == 151644)).isTrue();
        assertThat(qwen.decode(plain)).isEqualTo(text);
        assertThat(qwen.encode(text, java.util.Set.of("<|im_start|>"))).containsExactly(qwen.encode(text));
        assertThat(qwen.encode(text, java.util.Set.of())).containsExactly(plain);
    }
}
