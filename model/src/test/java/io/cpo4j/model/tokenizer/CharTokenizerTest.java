package io.cpo4j.model.tokenizer;

import io.cpo4j.engine.io.FormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CharTokenizerTest {

    @TempDir
    Path dir;

    @Test
    void oneIdPerCharacterInSortedOrderWithEndOfTextLast() {
        CharTokenizer t = CharTokenizer.fromText("hello world\n");
        // Sorted characters: "\n", " ", d, e, h, l, o, r, w — then <|endoftext|>.
        assertThat(t.vocabSize()).isEqualTo(10);
        assertThat(t.eotToken()).isEqualTo(9);
        assertThat(t.encode("hello")).containsExactly(4, 3, 5, 5, 6);
        assertThat(t.decode(new int[] {8, 6, 7, 5, 2, 9})).isEqualTo("world<|endoftext|>");
        assertThat(t.encode("old<|endoftext|>", Set.of(Tokenizer.ENDOFTEXT))).containsExactly(6, 5, 2, 9);
    }

    @Test
    void charactersBeyondTheBmpAreOneToken() {
        CharTokenizer t = CharTokenizer.fromText("a😀b");
        assertThat(t.encode("😀a")).containsExactly(2, 0);
        assertThat(t.decode(t.encode("b😀"))).isEqualTo("b😀");
    }

    @Test
    void unknownCharactersAndIdsAreNamed() {
        CharTokenizer t = CharTokenizer.fromText("abc");
        assertThatThrownBy(() -> t.encode("abz")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("character 'z' (U+007A) at position 2 is not in this character vocabulary of 3 characters");
        // Special-token text is ordinary text unless allowed, so it must be in the vocabulary.
        assertThatThrownBy(() -> t.encode("<|endoftext|>")).hasMessageContaining("character '<'");
        assertThatThrownBy(() -> t.decode(new int[] {4})).hasMessageContaining("token id 4 at position 0 is outside the vocabulary [0, 4)");
    }

    @Test
    void savesAndLoads() throws IOException {
        String shakespeare = "First Citizen:\nBefore we proceed any further, hear me speak.\n";
        CharTokenizer t = CharTokenizer.fromText(shakespeare);
        t.save(dir);
        Tokenizer loaded = Tokenizers.load(dir);
        assertThat(loaded).isInstanceOf(CharTokenizer.class);
        assertThat(loaded.encode(shakespeare)).containsExactly(t.encode(shakespeare));
        assertThat(loaded.vocabSize()).isEqualTo(t.vocabSize());
    }

    @Test
    void corruptFilesAreNamed() throws IOException {
        Path file = dir.resolve(CharTokenizer.FILE);
        Files.writeString(file, "{\"type\": \"char\", \"chars\": [\"a\", \"bc\"]}");
        assertThatThrownBy(() -> CharTokenizer.load(file)).isInstanceOf(FormatException.class)
                .hasMessage(file + ": chars[1] must be a string of exactly one character, found \"bc\"");
        Files.writeString(file, "{\"type\": \"char\", \"chars\": [\"a\", \"a\"]}");
        assertThatThrownBy(() -> CharTokenizer.load(file)).hasMessage(file + ": chars[1] repeats \"a\"");
        Files.writeString(file, "{\"type\": \"bpe\"}");
        assertThatThrownBy(() -> CharTokenizer.load(file)).hasMessage(file + ": field \"type\" must be \"char\"");
    }
}
