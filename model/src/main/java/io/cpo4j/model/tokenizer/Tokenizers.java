package io.cpo4j.model.tokenizer;

import io.cpo4j.engine.io.FormatException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finds and loads the tokenizer a folder holds. */
public final class Tokenizers {

    private Tokenizers() {}

    /**
     * Loads from dir: {@code tokenizer.json} (+ {@code tokenizer_config.json}; HuggingFace's whole
     * pipeline, preferred when the folder also has the files below), {@code encoder.json} +
     * {@code vocab.bpe} (GPT-2), {@code vocab.json} + {@code merges.txt} (HuggingFace's names for
     * GPT-2's files), or {@code chars.json} (character-level).
     */
    public static Tokenizer load(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new FormatException(dir.toString(), Files.exists(dir) ? "not a folder; a tokenizer is a folder with encoder.json + vocab.bpe" : "tokenizer folder not found");
        }
        if (HfTokenizerFiles.present(dir)) return HfTokenizerFiles.load(dir);
        if (BpeFiles.present(dir)) return BpeFiles.load(dir);
        if (Files.isRegularFile(dir.resolve(CharTokenizer.FILE))) return CharTokenizer.load(dir.resolve(CharTokenizer.FILE));
        String half = Files.exists(dir.resolve(BpeFiles.ENCODER_JSON)) ? " (encoder.json is there, vocab.bpe is missing)"
                : Files.exists(dir.resolve(BpeFiles.VOCAB_BPE)) ? " (vocab.bpe is there, encoder.json is missing)"
                : Files.exists(dir.resolve(BpeFiles.VOCAB_JSON)) ? " (vocab.json is there, merges.txt is missing)"
                : Files.exists(dir.resolve(BpeFiles.MERGES_TXT)) ? " (merges.txt is there, vocab.json is missing)" : "";
        throw new FormatException(dir.toString(), "no tokenizer files: expected encoder.json + vocab.bpe, vocab.json + merges.txt, chars.json, or tokenizer.json (+ tokenizer_config.json)" + half);
    }
}
