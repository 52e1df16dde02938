package io.cpo4j.tests;

import io.cpo4j.model.data.TokenShard;
import io.cpo4j.model.gpt.Gpt;
import io.cpo4j.model.gpt.GptConfig;
import io.cpo4j.model.hf.HfCheckpoint;
import io.cpo4j.model.tokenizer.CharTokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The smallest inputs the command-line tests need: a short text, its character shard, and a
 * one-layer model folder (context 16, width 8) with the character tokenizer.
 */
record SmallModelFiles(Path text, Path shard, Path model, CharTokenizer chars, Gpt gpt) {

    static SmallModelFiles write(Path dir) throws IOException {
        Path text = dir.resolve("text.txt");
        Files.writeString(text, "abc abc abc.\n\nabd abd.\n".repeat(50));
        CharTokenizer chars = CharTokenizer.fromText(Files.readString(text));
        Path shard = dir.resolve("tokens.bin");
        TokenShard.write(shard, chars.encode(Files.readString(text)), chars.vocabSize());
        Path model = dir.resolve("model");
        Gpt gpt = Gpt.create(new GptConfig(chars.vocabSize(), 16, 1, 1, 8, 0f, 1e-5f), 1);
        HfCheckpoint.save(gpt, model, chars.eotToken());
        chars.save(model);
        return new SmallModelFiles(text, shard, model, chars, gpt);
    }
}
