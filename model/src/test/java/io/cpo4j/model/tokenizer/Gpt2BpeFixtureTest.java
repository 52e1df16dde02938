package io.cpo4j.model.tokenizer;

import io.cpo4j.engine.io.Json;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@code gpt2-bpe/cases.json} under the fixtures root (ids computed by the npm package
 * gpt-3-encoder and a second implementation of encoder.py) must be reproduced exactly, and each
 * decoded back to its text.
 */
class Gpt2BpeFixtureTest {

    @TestFactory
    Stream<DynamicTest> reproducesEveryFixtureCase() throws IOException {
        Path root = SharedFiles.fixtures();
        Assumptions.assumeTrue(Files.isDirectory(root), "fixtures not present: " + root);
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(p -> p.endsWith(Path.of("gpt2-bpe", "cases.json"))).sorted().toList();
        }
        Assumptions.assumeFalse(files.isEmpty(), "no gpt2-bpe/cases.json under " + root);
        Tokenizer gpt2 = BpeFiles.load(SharedFiles.gpt2Tokenizer());
        List<DynamicTest> tests = new ArrayList<>();
        for (Path file : files) {
            List<?> cases = (List<?>) Json.parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
            assertThat(cases).as(file.toString()).isNotEmpty();
            for (int i = 0; i < cases.size(); i++) {
                @SuppressWarnings("unchecked")
                Map<String, Object> c = (Map<String, Object>) cases.get(i);
                String text = (String) c.get("text");
                int[] ids = ((List<?>) c.get("ids")).stream().mapToInt(o -> ((Long) o).intValue()).toArray();
                String name = root.relativize(file) + " #" + i + " " + Json.write(text.length() > 40 ? text.substring(0, 40) + "…" : text);
                tests.add(DynamicTest.dynamicTest(name, () -> {
                    assertThat(gpt2.encode(text)).as("encode").containsExactly(ids);
                    assertThat(gpt2.decode(ids)).as("decode").isEqualTo(text);
                }));
            }
        }
        return tests.stream();
    }
}
