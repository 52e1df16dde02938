package io.cpo4j.model.tokenizer;

import io.cpo4j.engine.io.Json;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * HfTokenizer on the small synthetic tokenizer.json folders of tools/tokenizer-reference/make-tiny.py
 * (committed test resources), against the ids transformers.js gives for tiny-cases.json — the
 * same logic as the real tokenizers of {@link HfTokenizerRealFilesTest}, without ../shared.
 */
class HfTokenizerTest {

    static Path tiny(String name) {
        try {
            return Path.of(HfTokenizerTest.class.getResource("hf/" + name + "/tokenizer.json").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void matchesReference(String name) throws IOException {
        HfTokenizer tokenizer = HfTokenizerFiles.load(tiny(name));
        HfReferenceCases expected = HfReferenceCases.read(name + ".expected.json");
        assertThat(expected.cases()).hasSizeGreaterThan(20);
        for (HfReferenceCases.Case c : expected.cases()) {
            String text = Json.write(c.text());
            assertThat(tokenizer.encode(c.text())).as("%s: ids of %s", name, text).containsExactly(c.ids());
            assertThat(tokenizer.encode(c.text(), true)).as("%s: ids with special tokens of %s", name, text).containsExactly(c.idsWithSpecial());
            assertThat(tokenizer.decode(c.ids())).as("%s: decode of %s", name, text).isEqualTo(c.decoded());
        }
    }

    @Test
    void byteLevelMatchesTransformersJs() throws IOException {
        matchesReference("tiny-bytelevel");
    }

    @Test
    void sentencePieceByteFallbackMatchesTransformersJs() throws IOException {
        matchesReference("tiny-sentencepiece");
    }

    @Test
    void unknownCharactersFuseIntoOneUnkAsTransformersJs() throws IOException {
        matchesReference("tiny-unk");
        HfTokenizer unk = HfTokenizerFiles.load(tiny("tiny-unk"));
        int[] ids = unk.encode("∑∑∑");
        assertThat(ids).hasSize(2);
        assertThat(unk.tokenText(ids[0])).isEqualTo("▁");
        assertThat(ids[1]).isEqualTo(unk.addedTokens().get("<unk>"));
    }

    @Test
    void textsWithoutAddedTokensDecodeBackToThemselves() throws IOException {
        HfTokenizer bl = HfTokenizerFiles.load(tiny("tiny-bytelevel")), sp = HfTokenizerFiles.load(tiny("tiny-sentencepiece"));
        for (String text : List.of("", " ", "  x  ", "日本語 🙂 👨‍👩‍👧 \u0000\t\r\n", "a <mask > b", "Ωmega ∑∑")) {
            assertThat(bl.decode(bl.encode(text))).isEqualTo(text);
            assertThat(sp.decode(sp.encode(text))).isEqualTo(text);
        }
    }

    @Test
    void ignoreMergesTakesAWholeVocabularyTokenThatNoMergeBuilds() throws IOException {
        HfTokenizer bl = HfTokenizerFiles.load(tiny("tiny-bytelevel"));
        int hello = bl.encode(" hello")[0];
        assertThat(bl.encode(" hello")).hasSize(1);
        assertThat(bl.tokenText(hello)).isEqualTo("Ġhello");
        assertThat(bl.encode("hello").length).isGreaterThan(1);
    }

    @Test
    void configAndPostProcessorDecideTheSpecialTokens() throws IOException {
        HfTokenizer bl = HfTokenizerFiles.load(tiny("tiny-bytelevel"));
        int bos = bl.addedTokens().get("<|begin_of_text|>");
        assertThat(bl.bosToken()).hasValue(bos);
        assertThat(bl.eosToken()).hasValue(bl.addedTokens().get("<|im_end|>"));     // an AddedToken object in the config
        assertThat(bl.eotToken()).isEqualTo(bl.addedTokens().get("<|im_end|>"));
        assertThat(bl.encode("hi", true)[0]).isEqualTo(bos);                          // TemplateProcessing: the config has no add_bos_token
        assertThat(bl.chatTemplate()).hasValueSatisfying(t -> assertThat(t).startsWith("{% for m in messages %}"));
        assertThat(bl.specialTokens()).containsKey("<|im_start|>").doesNotContainKey("<think>");
        HfTokenizer sp = HfTokenizerFiles.load(tiny("tiny-sentencepiece"));
        assertThat(sp.encode("", true)).containsExactly(1);
    }

    @Test
    void allowedSpecialRecognisesOnlyTheListedAddedTokens() throws IOException {
        HfTokenizer bl = HfTokenizerFiles.load(tiny("tiny-bytelevel"));
        int start = bl.addedTokens().get("<|im_start|>"), end = bl.addedTokens().get("<|im_end|>");
        String text = "<|im_start|>x<|im_end|>";
        int[] some = bl.encode(text, Set.of("<|im_end|>"));
        assertThat(some[some.length - 1]).isEqualTo(end);
        assertThat(some).doesNotContain(start);
        assertThat(bl.decode(some)).isEqualTo(text);
        assertThat(bl.encodePlain(text)).doesNotContain(start, end);
        assertThatThrownBy(() -> bl.encode(text, Set.of("<|nope|>"))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("<|nope|>");
    }

    @Test
    void decodeRefusesIdsOutsideTheVocabulary() throws IOException {
        HfTokenizer sp = HfTokenizerFiles.load(tiny("tiny-sentencepiece"));
        assertThatThrownBy(() -> sp.decode(new int[] {5, sp.vocabSize()})).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("position 1");
        assertThatThrownBy(() -> sp.decode(new int[] {-1})).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tokenizersLoadPrefersTokenizerJson() throws IOException {
        assertThat(Tokenizers.load(tiny("tiny-sentencepiece"))).isInstanceOf(HfTokenizer.class);
    }
}
