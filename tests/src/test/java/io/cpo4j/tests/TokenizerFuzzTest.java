package io.cpo4j.tests;

import io.cpo4j.model.tokenizer.BpeFiles;
import io.cpo4j.model.tokenizer.BpeTokenizer;
import io.cpo4j.model.tokenizer.BpeTrainer;
import io.cpo4j.model.tokenizer.CharTokenizer;
import io.cpo4j.model.tokenizer.HfTokenizer;
import io.cpo4j.model.tokenizer.HfTokenizerFiles;
import io.cpo4j.model.tokenizer.Tokenizer;
import io.cpo4j.model.tokenizer.Tokenizers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tokenizer folders — GPT-2's encoder.json + vocab.bpe, HuggingFace's vocab.json + merges.txt,
 * chars.json — each meet ≥ 10,000 seeded mutations (see {@link Fuzzing}). A mutated vocabulary
 * that loads must still be a tokenizer: decoding what it encodes gives the text back, or encoding
 * names the byte or character it has no token for. A tokenizer that loads and silently garbles
 * text would be worse than one that refuses to load.
 */
class TokenizerFuzzTest {

    /** A few KB of text, with multi-byte characters, so that merges span bytes of one character. */
    static final String TEXT = """
            The quick brown fox jumps over the lazy dog; the dog sleeps, the fox runs on.
            Über den Wolken muss die Freiheit wohl grenzenlos sein — café, naïve, façade.
            日本語のテキストも少し。 Numbers 0123456789 and symbols: {"key": [1, 2.5e-3]} \\ / ' \t tabs.
            """.repeat(20);
    static final String SAMPLE = TEXT.substring(0, 260) + " unseen words: zyxwvut QJX";

    @TempDir
    Path dir;

    @Test
    @Timeout(300)
    void gpt2EncoderJsonAndVocabBpe() throws IOException {
        BpeTokenizer trained = BpeTrainer.train(TEXT, 300);
        Path folder = dir.resolve("gpt2");
        BpeFiles.save(trained, folder);
        assertThat(roundTrips(Tokenizers.load(folder))).isTrue();
        fuzzFile(folder, BpeFiles.ENCODER_JSON, 11);
        fuzzFile(folder, BpeFiles.VOCAB_BPE, 12);
    }

    @Test
    @Timeout(300)
    void huggingFaceVocabJsonAndMergesTxt() throws IOException {
        Path gpt2 = dir.resolve("gpt2"), folder = dir.resolve("hf");
        BpeFiles.save(BpeTrainer.train(TEXT, 290), gpt2);
        Files.createDirectories(folder);
        byte[] vocab = Files.readAllBytes(gpt2.resolve(BpeFiles.ENCODER_JSON)), merges = Files.readAllBytes(gpt2.resolve(BpeFiles.VOCAB_BPE));
        Path vocabFile = folder.resolve(BpeFiles.VOCAB_JSON), mergesFile = folder.resolve(BpeFiles.MERGES_TXT);
        Files.write(vocabFile, vocab);
        Files.write(mergesFile, merges);
        assertThat(Tokenizers.load(folder)).isInstanceOf(BpeTokenizer.class);
        // Each run mutates both files, so that the two are also wrong together; the input is both, one after the other.
        int[] vocabLength = new int[1];
        Fuzzing.fuzz("vocab.json + merges.txt", 13, m -> {
            byte[] v = m.mutate(vocab), g = m.mutate(merges);
            vocabLength[0] = v.length;
            byte[] both = Arrays.copyOf(v, v.length + g.length);
            System.arraycopy(g, 0, both, v.length, g.length);
            return both;
        }, input -> {
            Files.write(vocabFile, Arrays.copyOfRange(input, 0, vocabLength[0]));
            Files.write(mergesFile, Arrays.copyOfRange(input, vocabLength[0], input.length));
            loadAndCheck(folder);
        }, BpeFiles.VOCAB_JSON, BpeFiles.MERGES_TXT);
    }

    @Test
    @Timeout(300)
    void charsJson() throws IOException {
        Path folder = dir.resolve("char");
        Files.createDirectories(folder);
        CharTokenizer.fromText(SAMPLE).save(folder);
        assertThat(roundTrips(Tokenizers.load(folder))).isTrue();
        fuzzFile(folder, CharTokenizer.FILE, 14);
    }

    /**
     * HuggingFace tokenizer.json and tokenizer_config.json (the small byte-level and SentencePiece
     * tokenizers of tools/tokenizer-reference/make-tiny.py). A valid tokenizer.json need not give
     * the text back (a mutated normalizer may change it), so a mutation that loads must encode to
     * ids inside its vocabulary — or name the character it has no token for — and decode them.
     */
    @Test
    @Timeout(600)
    void huggingFaceTokenizerJson() throws IOException {
        for (String name : new String[] {"tiny-bytelevel", "tiny-sentencepiece"}) {
            Path src = Path.of(System.getProperty("cpo4j.root", "."), "model", "src", "test", "resources", "io", "cpo4j", "model", "tokenizer", "hf", name).normalize();
            Path folder = dir.resolve(name);
            Files.createDirectories(folder);
            for (String file : new String[] {HfTokenizerFiles.TOKENIZER_JSON, HfTokenizerFiles.TOKENIZER_CONFIG_JSON}) {
                Files.copy(src.resolve(file), folder.resolve(file));
            }
            assertThat(hfRuns(Tokenizers.load(folder))).isTrue();
            assertThat(roundTrips(Tokenizers.load(folder))).isTrue();
            long seed = name.equals("tiny-bytelevel") ? 15 : 17;
            fuzzHf(folder, HfTokenizerFiles.TOKENIZER_JSON, seed);
            fuzzHf(folder, HfTokenizerFiles.TOKENIZER_CONFIG_JSON, seed + 1);
        }
    }

    private static void fuzzHf(Path folder, String name, long seed) throws IOException {
        Path file = folder.resolve(name);
        byte[] valid = Files.readAllBytes(file);
        Fuzzing.Outcome o = Fuzzing.fuzz(folder.getFileName() + "/" + name, seed, m -> m.mutate(valid), input -> {
            Files.write(file, input);
            Tokenizer t = Tokenizers.load(folder);
            if (!hfRuns(t)) throw new AssertionError(t + " loaded from a mutated " + name + " gives ids outside its vocabulary");
        }, name);
        assertThat(o.refused()).as("many mutations of " + name + " are refused").isGreaterThan(Fuzzing.RUNS / 20);
        Files.write(file, valid);
    }

    /** Encoding (with and without special tokens) gives ids inside the vocabulary that decode, or names what the vocabulary lacks. */
    private static boolean hfRuns(Tokenizer t) {
        HfTokenizer hf = (HfTokenizer) t;
        for (boolean special : new boolean[] {false, true}) {
            int[] ids;
            try {
                ids = hf.encode(SAMPLE + " <|im_start|><s>", special);
            } catch (IllegalArgumentException lacking) {
                if (!lacking.getMessage().contains("has no token")) throw lacking;
                continue;
            }
            for (int id : ids) if (id < 0 || id >= t.vocabSize()) return false;
            t.decode(ids);
        }
        return true;
    }

    /** Mutates one file of the folder (the others stay valid) and loads the folder. */
    private static void fuzzFile(Path folder, String name, long seed) throws IOException {
        Path file = folder.resolve(name);
        byte[] valid = Files.readAllBytes(file);
        Fuzzing.Outcome o = Fuzzing.fuzz(name, seed, m -> m.mutate(valid), input -> {
            Files.write(file, input);
            loadAndCheck(folder);
        }, name);
        assertThat(o.refused()).as("most mutations of " + name + " are refused").isGreaterThan(Fuzzing.RUNS / 10);
        Files.write(file, valid);
    }

    private static void loadAndCheck(Path folder) throws IOException {
        Tokenizer t = Tokenizers.load(folder);
        if (!roundTrips(t)) throw new AssertionError(t + " loaded from mutated files garbles text: " + SAMPLE);
    }

    /** decode(encode(s)) == s, or encoding names what the vocabulary lacks. */
    private static boolean roundTrips(Tokenizer t) {
        int[] ids;
        try {
            ids = t.encode(SAMPLE);
        } catch (IllegalArgumentException lacking) {
            String m = lacking.getMessage();
            return m.contains("has no token") || m.contains("is not in this character vocabulary");
        }
        return t.decode(ids).equals(SAMPLE);
    }
}
