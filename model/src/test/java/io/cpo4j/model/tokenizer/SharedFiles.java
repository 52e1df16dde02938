package io.cpo4j.model.tokenizer;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where tests find ../shared/data and ../shared/fixtures; tests skip when they are absent. */
public final class SharedFiles {

    private SharedFiles() {}

    public static Path fixtures() {
        String override = System.getProperty("cpo4j.fixtures");
        return override != null ? Path.of(override) : shared().resolve("fixtures");
    }

    public static Path data() {
        return shared().resolve("data");
    }

    private static Path shared() {
        return Path.of(System.getProperty("cpo4j.root", "."), "..", "shared").normalize();
    }

    /** The path of a data file, or skip the test when it is absent. */
    public static Path dataFile(String relative) {
        Path p = data().resolve(relative);
        Assumptions.assumeTrue(Files.exists(p), "shared data not present: " + p);
        return p;
    }

    /** GPT-2's encoder.json + vocab.bpe folder, or skip. */
    public static Path gpt2Tokenizer() {
        return dataFile("gpt2-tokenizer");
    }
}
