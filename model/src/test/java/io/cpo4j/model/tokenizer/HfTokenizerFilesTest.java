package io.cpo4j.model.tokenizer;

import io.cpo4j.engine.io.FormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Broken tokenizer.json / tokenizer_config.json files: one-line errors naming the file and the field. */
class HfTokenizerFilesTest {

    @TempDir
    Path dir;

    /** The tiny byte-level tokenizer with one text replacement in tokenizer.json (or in tokenizer_config.json). */
    private Path edited(String file, String from, String to) throws IOException {
        Path src = HfTokenizerTest.tiny("tiny-bytelevel");
        Path out = dir.resolve("t");
        Files.createDirectories(out);
        for (String name : new String[] {HfTokenizerFiles.TOKENIZER_JSON, HfTokenizerFiles.TOKENIZER_CONFIG_JSON}) {
            String text = Files.readString(src.resolve(name));
            if (name.equals(file)) {
                assertThat(text).as("the text to replace").contains(from);
                text = text.replace(from, to);
            }
            Files.writeString(out.resolve(name), text);
        }
        return out;
    }

    private void refused(String file, String from, String to, String message) throws IOException {
        Path folder = edited(file, from, to);
        assertThatThrownBy(() -> HfTokenizerFiles.load(folder)).isInstanceOf(FormatException.class)
                .hasMessageStartingWith(folder.resolve(file).toString() + ": ")
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    private void refused(String from, String to, String message) throws IOException {
        refused(HfTokenizerFiles.TOKENIZER_JSON, from, to, message);
    }

    @Test
    void unknownComponentTypesAreNamed() throws IOException {
        refused("\"type\": \"BPE\"", "\"type\": \"Unigram\"", "field \"model.type\" is \"Unigram\", which this library does not support (supported: BPE)");
        refused("\"type\": \"NFC\"", "\"type\": \"Lowercase\"", "field \"normalizer.type\" is \"Lowercase\"");
        refused("\"type\": \"Split\"", "\"type\": \"Metaspace\"", "field \"pre_tokenizer.pretokenizers[0].type\" is \"Metaspace\"");
        refused("\"decoder\": {\n  \"type\": \"ByteLevel\"", "\"decoder\": {\n  \"type\": \"WordPiece\"", "field \"decoder.type\" is \"WordPiece\"");
        refused("\"behavior\": \"Isolated\"", "\"behavior\": \"MergedWithPrevious\"", "field \"pre_tokenizer.pretokenizers[0].behavior\" is \"MergedWithPrevious\"");
    }

    @Test
    void wrongTypesAndMissingFieldsAreNamed() throws IOException {
        refused("\"ignore_merges\": true", "\"ignore_merges\": \"yes\"", "field \"model.ignore_merges\" must be true or false, found a string");
        refused("\"merges\": [", "\"merges_\": [", "field \"model.merges\" is missing");
        refused("\"vocab\": {", "\"vocab\": [1], \"v\": {", "field \"model.vocab\" must be an object, found an array");
        refused("\"pretokenizers\": [", "\"pretokenizers\": 3, \"p\": [", "field \"pre_tokenizer.pretokenizers\" must be an array, found a number");
        refused("\"(?i:", "\"(?i:\\\\p{Bogus}", "field \"pre_tokenizer.pretokenizers[0].pattern.Regex\" is not a regular expression this library can read");
        refused("\"model\": {", "\"model\": 7, \"m\": {", "field \"model\" must be an object, found a number");
    }

    @Test
    void badIdsAndMergesAreNamed() throws IOException {
        refused("\"!\": 0,", "\"!\": 2000000000,", "field \"model.vocab[\"!\"]\" is 2000000000, expected an integer in [0, ");
        refused("\"!\": 0,", "\"!\": -1,", "field \"model.vocab[\"!\"]\" is -1");
        refused("\"!\": 0,", "\"!\": 1.5,", "field \"model.vocab[\"!\"]\" must be an integer, found a number (1.5)");
        refused("\"\\\"\": 1,", "\"\\\"\": 0,", "is id 0, which \"!\" already has");
        refused("\"t h\",", "\"t zz\",", "field \"model.merges[0]\" names the token \"zz\", which is not in model.vocab");
        refused("\"t h\",", "\"t  h\",", "field \"model.merges[0]\" is \"t  h\"; expected two tokens separated by one space");
        refused("\"id\": 290,", "\"id\": 5,", "field \"added_tokens[0].id\" is 5, which model.vocab gives to \"&\", not \"<|begin_of_text|>\"");
        refused("\"dropout\": null", "\"dropout\": 0.1", "field \"model.dropout\" is a number (0.1); BPE dropout");
    }

    @Test
    void configErrorsNameTheConfigFile() throws IOException {
        refused(HfTokenizerFiles.TOKENIZER_CONFIG_JSON, "\"bos_token\": \"<|begin_of_text|>\"", "\"bos_token\": \"<nope>\"",
                "field \"bos_token\" is \"<nope>\", which is not a token of tokenizer.json");
        refused(HfTokenizerFiles.TOKENIZER_CONFIG_JSON, "\"bos_token\": \"<|begin_of_text|>\"", "\"bos_token\": 12",
                "field \"bos_token\" must be a string or an AddedToken object, found a number (12)");
        refused(HfTokenizerFiles.TOKENIZER_CONFIG_JSON, "\"bos_token\": \"<|begin_of_text|>\"", "\"add_bos_token\": true, \"bos_token\": null",
                "field \"add_bos_token\" is true but \"bos_token\" names no token");
        refused(HfTokenizerFiles.TOKENIZER_CONFIG_JSON, "\"chat_template\": \"", "\"chat_template\": 3, \"x\": \"",
                "field \"chat_template\" must be a string or a list of {name, template}, found a number (3)");
    }

    @Test
    void aSingleWordAddedTokenIsOnlyRecognisedBetweenNonWordCharacters() throws IOException {
        HfTokenizer t = HfTokenizerFiles.load(edited(HfTokenizerFiles.TOKENIZER_JSON,
                "\"content\": \"<think>\",\n   \"single_word\": false", "\"content\": \"<think>\",\n   \"single_word\": true"));
        int think = t.addedTokens().get("<think>");
        assertThat(t.encode("a <think> b")).contains(think);
        assertThat(t.encode("<think>\n")).startsWith(think);
        assertThat(t.encode("a<think>b")).doesNotContain(think);
        assertThat(t.encode("x_<think>")).doesNotContain(think);
        assertThat(t.decode(t.encode("a<think>b"))).isEqualTo("a<think>b");
    }

    @Test
    void aMissingConfigIsNoError() throws IOException {
        Path folder = edited(HfTokenizerFiles.TOKENIZER_JSON, "\"version\"", "\"version\"");
        Files.delete(folder.resolve(HfTokenizerFiles.TOKENIZER_CONFIG_JSON));
        HfTokenizer t = HfTokenizerFiles.load(folder);
        assertThat(t.eosToken()).isEmpty();
        assertThat(t.chatTemplate()).isEmpty();
        assertThatThrownBy(t::eotToken).isInstanceOf(IllegalStateException.class).hasMessageContaining("eos_token");
    }
}
