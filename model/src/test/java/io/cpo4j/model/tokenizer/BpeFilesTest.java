package io.cpo4j.model.tokenizer;

import io.cpo4j.engine.io.FormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Loading, saving and rejecting vocabulary files. */
class BpeFilesTest {

    @TempDir
    Path dir;

    /** A complete byte alphabet plus "Ġt", "he", "Ġthe" and <|endoftext|>, with three merges. */
    private Path writeSmallVocab(String merges) throws IOException {
        StringBuilder json = new StringBuilder("{");
        for (int r = 0; r < 256; r++) {
            json.append(io.cpo4j.engine.io.Json.write(String.valueOf(ByteLevel.charOf(ByteLevel.byteAtRank(r))))).append(':').append(r).append(',');
        }
        json.append("\"Ġt\":256,\"he\":257,\"Ġthe\":258,\"<|endoftext|>\":259}");
        Files.writeString(dir.resolve("encoder.json"), json);
        Files.writeString(dir.resolve("vocab.bpe"), merges);
        return dir;
    }

    private static final String MERGES = "#version: 0.2\nĠ t\nh e\nĠt he\n";

    @Test
    void loadsAndEncodesWithASmallVocabulary() throws IOException {
        BpeTokenizer t = BpeFiles.load(writeSmallVocab(MERGES));
        assertThat(t.vocabSize()).isEqualTo(260);
        assertThat(t.eotToken()).isEqualTo(259);
        assertThat(t.encode(" the hen")).containsExactly(258, ByteLevel.rankOf(' '), 257, ByteLevel.rankOf('n'));
        assertThat(t.decode(t.encode(" the hen"))).isEqualTo(" the hen");
    }

    @Test
    void savedFilesLoadBackToTheSameTokenizer() throws IOException {
        BpeTokenizer gpt2 = BpeFiles.load(SharedFiles.gpt2Tokenizer());
        Path out = dir.resolve("copy");
        BpeFiles.save(gpt2, out);
        BpeTokenizer copy = BpeFiles.load(out);
        assertThat(copy.vocabSize()).isEqualTo(gpt2.vocabSize());
        assertThat(copy.mergeCount()).isEqualTo(gpt2.mergeCount());
        String text = "The quick brown fox, naïve café 中文 😀 <|endoftext|>";
        assertThat(copy.encode(text)).containsExactly(gpt2.encode(text));
        // Same merges, in the same order, as the published vocab.bpe.
        String original = Files.readString(SharedFiles.gpt2Tokenizer().resolve("vocab.bpe"));
        String saved = Files.readString(out.resolve("vocab.bpe"));
        assertThat(saved.lines().skip(1).toList()).isEqualTo(original.lines().skip(1).filter(l -> !l.isEmpty()).toList());
    }

    @Test
    void loadsHuggingFaceVocabJsonAndMergesTxt() throws IOException {
        Path hf = SharedFiles.dataFile("tiny-random-gpt2");
        // The folder also has a tokenizer.json, which Tokenizers.load prefers; this test reads the pair.
        Tokenizer t = BpeFiles.load(hf);
        assertThat(Tokenizers.load(hf).encode("The episode was described as a hit.")).containsExactly(t.encode("The episode was described as a hit."));
        assertThat(t.vocabSize()).isEqualTo(1000);
        assertThat(t.eotToken()).isZero();
        String text = "The episode was described as a hit.";
        int[] ids = t.encode(text);
        assertThat(ids.length).isLessThan(text.length());
        assertThat(t.decode(ids)).isEqualTo(text);
        // This test vocabulary lacks some bytes: encoding them is an error that names the byte.
        assertThatThrownBy(() -> t.encode("\u0480")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("byte 0xD2 has no token");
    }

    @Test
    void missingFilesAreNamed() throws IOException {
        assertThatThrownBy(() -> Tokenizers.load(dir.resolve("nowhere")))
                .isInstanceOf(FormatException.class).hasMessageEndingWith("nowhere: tokenizer folder not found");
        Files.writeString(dir.resolve("encoder.json"), "{}");
        assertThatThrownBy(() -> Tokenizers.load(dir))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("no tokenizer files: expected encoder.json + vocab.bpe")
                .hasMessageContaining("(encoder.json is there, vocab.bpe is missing)");
        assertThatThrownBy(() -> BpeFiles.load(dir.resolve("encoder.json"), dir.resolve("vocab.bpe")))
                .isInstanceOf(FormatException.class).hasMessageContaining("encoder.json: the vocabulary is empty");
    }

    @Test
    void corruptVocabulariesAreClearErrors() throws IOException {
        writeSmallVocab(MERGES);
        Path enc = dir.resolve("encoder.json"), bpe = dir.resolve("vocab.bpe");
        Files.writeString(enc, "{\"a\": 0, \"b\": ");
        assertThatThrownBy(() -> BpeFiles.load(dir)).isInstanceOf(FormatException.class)
                .hasMessage(enc + ": line 1, column 15: unexpected end of input, expected a value");
        Files.writeString(enc, "[1, 2]");
        assertThatThrownBy(() -> BpeFiles.load(dir)).hasMessage(enc + ": expected a JSON object, found an array");
        Files.writeString(enc, "{\"a\": 0, \"b\": \"one\"}");
        assertThatThrownBy(() -> BpeFiles.load(dir)).hasMessage(enc + ": token \"b\" has id \"one\"; ids must be the integers 0..1 (one per token)");
        Files.writeString(enc, "{\"a\": 0, \"b\": 5}");
        assertThatThrownBy(() -> BpeFiles.load(dir)).hasMessageContaining("token \"b\" has id 5; ids must be the integers 0..1");
        Files.writeString(enc, "{\"a\": 0, \"b\": 0}");
        assertThatThrownBy(() -> BpeFiles.load(dir)).hasMessage(enc + ": id 0 is given to both \"a\" and \"b\"");
        Files.writeString(enc, "{\"a\": 0, \"b\": 1, \"c\": 1}");
        assertThatThrownBy(() -> BpeFiles.load(dir)).hasMessage(enc + ": id 1 is given to both \"b\" and \"c\"");
        Files.writeString(enc, "{\"a\": 0, \"a b\": 1}");
        assertThatThrownBy(() -> BpeFiles.load(dir)).hasMessage(enc + ": token \"a b\" (id 1) has a character outside GPT-2's byte-level alphabet (U+0020 at position 1)");
        Files.write(enc, new byte[] {'{', '"', (byte) 0xC3, '"', ':', '0', '}'});
        assertThatThrownBy(() -> BpeFiles.load(dir)).hasMessageStartingWith(enc + ": invalid UTF-8 at byte 2");

        writeSmallVocab("#version: 0.2\nĠ t\nh  e\n");
        assertThatThrownBy(() -> BpeFiles.load(dir)).isInstanceOf(FormatException.class)
                .hasMessage(bpe + ":3: expected two tokens separated by one space, found \"h  e\"");
        writeSmallVocab("#version: 0.2\nĠ t\nh e\nĠt q\n");
        assertThatThrownBy(() -> BpeFiles.load(dir)).hasMessage(bpe + ":4: token \"Ġtq\" is not in encoder.json");
        writeSmallVocab("#version: 0.2\nĠ t\nh e\nĠt ☃\n");
        assertThatThrownBy(() -> BpeFiles.load(dir)).hasMessage(bpe + ":4: token \"☃\" is not in encoder.json");
    }

    @Test
    void tokensInMessagesAreEscapedLikeJsonStrings() throws IOException {
        // A quote, a backslash or a control character in a token must not garble the message that names it.
        writeSmallVocab("#version: 0.2\nĠ t\nh e\n\" \\\n");
        assertThatThrownBy(() -> BpeFiles.load(dir)).hasMessage(dir.resolve("vocab.bpe") + ":4: token \"\\\"\\\\\" is not in encoder.json");
        writeSmallVocab("#version: 0.2\nĠ t\nh\u0000e\n");
        assertThatThrownBy(() -> BpeFiles.load(dir)).hasMessage(dir.resolve("vocab.bpe") + ":3: expected two tokens separated by one space, found \"h\\u0000e\"");
        Files.writeString(dir.resolve("encoder.json"), "{\"\\\"\": 0, \"\\\\\": 0}");
        assertThatThrownBy(() -> BpeFiles.load(dir)).hasMessage(dir.resolve("encoder.json") + ": id 0 is given to both \"\\\"\" and \"\\\\\"");
    }

    @Test
    void crlfAndMissingVersionLineAreAccepted() throws IOException {
        BpeTokenizer t = BpeFiles.load(writeSmallVocab("Ġ t\r\nh e\r\nĠt he\r\n\r\n"));
        assertThat(t.mergeCount()).isEqualTo(3);
        assertThat(t.encode(" the")).containsExactly(258);
    }
}
