package io.cpo4j.tests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Where the shared reference data live: {@code -Dcpo4j.fixtures}, else {@code <checkout>/../shared/fixtures}. */
final class Fixtures {

    private Fixtures() {}

    static Path root() {
        String configured = System.getProperty("cpo4j.fixtures");
        if (configured != null && !configured.isBlank()) return Path.of(configured);
        return Path.of(System.getProperty("cpo4j.root", "."), "..", "shared", "fixtures").normalize();
    }

    static Path data() {
        return Path.of(System.getProperty("cpo4j.root", "."), "..", "shared", "data").normalize();
    }

    /** Every folder under the root that holds {@code model/} and the given file. */
    static List<Path> foldersWith(String file) throws IOException {
        Path root = root();
        if (!Files.isDirectory(root)) return List.of();
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(d -> Files.isDirectory(d.resolve("model")) && Files.isRegularFile(d.resolve(file))).sorted().toList();
        }
    }
}
