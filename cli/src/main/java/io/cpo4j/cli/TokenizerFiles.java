package io.cpo4j.cli;

import io.cpo4j.engine.io.AtomicFiles;
import io.cpo4j.engine.io.FormatException;
import io.cpo4j.model.tokenizer.BpeFiles;
import io.cpo4j.model.tokenizer.CharTokenizer;
import io.cpo4j.model.tokenizer.HfTokenizerFiles;
import io.cpo4j.model.tokenizer.Tokenizer;
import io.cpo4j.model.tokenizer.Tokenizers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The tokenizer files that travel with a model folder, so {@code generate --model DIR} finds them. */
final class TokenizerFiles {

    /** Files a tokenizer folder may hold; HuggingFace's extra files are copied too, so transformers can load the folder. */
    static final List<String> NAMES = List.of(BpeFiles.ENCODER_JSON, BpeFiles.VOCAB_BPE, BpeFiles.VOCAB_JSON, BpeFiles.MERGES_TXT,
            CharTokenizer.FILE, "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json");

    private TokenizerFiles() {}

    /** Whether {@code dir} holds a tokenizer {@link Tokenizers#load} can read. */
    static boolean present(Path dir) {
        return BpeFiles.present(dir) || Files.isRegularFile(dir.resolve(CharTokenizer.FILE)) || HfTokenizerFiles.present(dir);
    }

    /**
     * Copies the tokenizer files of {@code from} into {@code to} (each atomically); GPT-2's
     * encoder.json + vocab.bpe also go under HuggingFace's names vocab.json + merges.txt (the same
     * formats). Returns whether there was anything to copy.
     */
    static boolean copy(Path from, Path to) throws IOException {
        if (!present(from)) return false;
        Files.createDirectories(to);
        for (String name : NAMES) {
            Path src = from.resolve(name);
            if (Files.isRegularFile(src)) copyFile(src, to.resolve(name));
        }
        boolean gpt2Names = Files.isRegularFile(from.resolve(BpeFiles.ENCODER_JSON)) && Files.isRegularFile(from.resolve(BpeFiles.VOCAB_BPE));
        if (gpt2Names && !Files.exists(from.resolve(BpeFiles.VOCAB_JSON)) && !Files.exists(from.resolve(BpeFiles.MERGES_TXT))) {
            copyFile(from.resolve(BpeFiles.ENCODER_JSON), to.resolve(BpeFiles.VOCAB_JSON));
            copyFile(from.resolve(BpeFiles.VOCAB_BPE), to.resolve(BpeFiles.MERGES_TXT));
        }
        return true;
    }

    private static void copyFile(Path src, Path dst) throws IOException {
        AtomicFiles.write(dst, out -> Files.copy(src, out));
    }

    /** The tokenizer of {@code --tokenizer DIR} when given, else the model folder's own; a clear error when neither has one. */
    static Tokenizer load(Optional<String> explicit, Path modelDir) throws IOException {
        if (explicit.isPresent()) return Tokenizers.load(Path.of(explicit.get()));
        if (!present(modelDir)) {
            throw new FormatException(modelDir.toString(), "no tokenizer files in the model folder (encoder.json + vocab.bpe, vocab.json + merges.txt, "
                    + "or chars.json); pass --tokenizer DIR");
        }
        return Tokenizers.load(modelDir);
    }

    /** The folder a tokenizer was loaded from, by the rule of {@link #load}. */
    static Path source(Optional<String> explicit, Path modelDir) {
        return explicit.map(Path::of).orElse(modelDir);
    }
}
