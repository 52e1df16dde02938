package io.cpo4j.tests;

import io.cpo4j.engine.io.Json;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;

import io.cpo4j.model.hf.HfCheckpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Where the parity fixtures live. Primary: the repository's own {@code tests/fixtures} (written by
 * {@code tools/fixtures/generate.py}); they must be there, a missing folder fails. Second, independent
 * check: {@code -Dcpo4j.fixtures=DIR}, else {@code <checkout>/../shared/fixtures}; skipped with a message when absent.
 */
final class Fixtures {

    private Fixtures() {}

    /** One fixture folder: which source it came from, where it is, and its {@code model_type} (the family). */
    record Folder(String source, Path dir, String family) {
        String label() {
            return dir.getFileName() + " (" + family + ")";
        }
    }

    static Path checkout() {
        return Path.of(System.getProperty("cpo4j.root", ".")).toAbsolutePath().normalize();
    }

    /** The repository's own fixtures: {@code <checkout>/tests/fixtures}. */
    static Path own() {
        return checkout().resolve("tests").resolve("fixtures");
    }

    /** The second check: {@code -Dcpo4j.fixtures}, else {@code <checkout>/../shared/fixtures}. */
    static Path second() {
        String configured = System.getProperty("cpo4j.fixtures");
        if (configured != null && !configured.isBlank()) return Path.of(configured).toAbsolutePath().normalize();
        return checkout().resolve("..").resolve("shared").resolve("fixtures").normalize();
    }

    static Path data() {
        return checkout().resolve("..").resolve("shared").resolve("data").normalize();
    }

    /** Every folder under {@code root} that holds {@code model/config.json} and {@code file}, with the family read from the config. */
    static List<Folder> foldersWith(String source, Path root, String file) throws IOException {
        if (!Files.isDirectory(root)) return List.of();
        List<Folder> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(root)) {
            for (Path d : s.sorted().toList()) {
                Path config = d.resolve("model").resolve("config.json");
                if (Files.isRegularFile(config) && Files.isRegularFile(d.resolve(file))) out.add(new Folder(source, d, family(config)));
            }
        }
        return out;
    }

    /** {@code model_type} of a HuggingFace {@code config.json}. */
    static String family(Path config) throws IOException {
        return Json.requireString(Json.parseObject(Files.readString(config), config.toString()), "model_type", config.toString());
    }

    /**
     * The tests {@code perFolder} makes for every folder holding {@code file}: one container for the own
     * fixtures (none there fails) and one for the second source (absent is a skip that says so). Folders of
     * a family without a Java model yet are one skipped test each, named, so they are visible.
     */
    static Stream<DynamicNode> everyFolder(String file, Function<Folder, List<DynamicTest>> perFolder) throws IOException {
        List<DynamicNode> sources = new ArrayList<>();
        List<Folder> own = foldersWith("own", own(), file);
        if (own.isEmpty()) {
            sources.add(DynamicTest.dynamicTest("own fixtures", () -> fail("no fixture folder with " + file + " under " + own()
                    + "; regenerate with /usr/bin/python3 tools/fixtures/generate.py")));
        } else {
            sources.add(DynamicContainer.dynamicContainer("own fixtures " + own(), folders(own, perFolder)));
        }
        Path second = second();
        List<Folder> others = foldersWith("second", second, file);
        if (others.isEmpty()) {
            sources.add(DynamicTest.dynamicTest("second check " + second, () -> Assumptions.abort("no fixture folder with " + file + " under " + second
                    + " (the independent second check; set -Dcpo4j.fixtures=DIR or provide ../shared/fixtures)")));
        } else {
            sources.add(DynamicContainer.dynamicContainer("second check " + second, folders(others, perFolder)));
        }
        return sources.stream();
    }

    private static Stream<DynamicNode> folders(List<Folder> folders, Function<Folder, List<DynamicTest>> perFolder) {
        return folders.stream().map(f -> HfCheckpoint.MODEL_TYPES.contains(f.family())
                ? DynamicContainer.dynamicContainer(f.label(), perFolder.apply(f).stream())
                : DynamicTest.dynamicTest(f.label(), () -> fail("fixture " + f.dir() + ": model_type \"" + f.family() + "\" has no Java model; supported: " + HfCheckpoint.MODEL_TYPES)));
    }
}
