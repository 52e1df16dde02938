package io.cpo4j.tests;

import io.cpo4j.engine.io.Json;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * {@code ./cpo4j eval} on HuggingFace folders no other test has seen (tests/fixtures/eval-*: a model
 * folder, an llm.c shard val.bin, and eval.json with PyTorch's float64 loss of the same windows,
 * from tools/fixtures/generate.py): the command's mean loss within 1e-4 relative, the same token count.
 */
class CliEvalParityTest {

    @TestFactory
    Stream<DynamicNode> evalGivesPyTorchsLoss() throws IOException {
        return Fixtures.everyFolder("eval.json", f -> List.of(DynamicTest.dynamicTest("eval --block", () -> evalMatches(f.dir()))));
    }

    private static void evalMatches(Path folder) throws IOException {
        Map<String, Object> expected = Json.parseObject(Files.readString(folder.resolve("eval.json")), "eval.json");
        long block = (Long) expected.get("block");
        double loss = (Double) expected.get("loss");
        CliRun r = CliRun.of("eval", "--model", folder.resolve("model"), "--data", folder.resolve("val.bin"), "--block", block, "--json").ok();
        Map<String, Object> json = Json.parseObject(r.out().strip(), "eval output");
        assertThat(json.get("tokens")).isEqualTo(expected.get("tokens"));
        assertThat((Double) json.get("loss")).as("PyTorch's %s", loss).isCloseTo(loss, within(1e-4 * loss));
        System.out.printf("%s: cpo4j eval %.8f, PyTorch %.8f, relative difference %.2e%n", folder.getFileName(), (Double) json.get("loss"), loss,
                Math.abs((Double) json.get("loss") - loss) / loss);
    }
}
