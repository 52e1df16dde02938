package io.cpo4j.engine;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a user of the module sees: the user API is exported, the kernels only to the model module,
 * the op-output factory not at all; and the tensor layer does not reach up into the ops.
 */
class ApiBoundaryTest {

    @Test
    void theModuleExportsTheUserApiAndLendsTheKernelsToTheModelOnly() throws Exception {
        Path classes = Path.of(Tensor.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ModuleDescriptor d;
        try (InputStream in = Files.newInputStream(classes.resolve("module-info.class"))) {
            d = ModuleDescriptor.read(in);
        }
        Map<String, Set<String>> exports = d.exports().stream().collect(Collectors.toMap(ModuleDescriptor.Exports::source, ModuleDescriptor.Exports::targets));
        assertThat(exports).containsOnlyKeys("io.cpo4j.engine", "io.cpo4j.engine.ops", "io.cpo4j.engine.nn",
                "io.cpo4j.engine.optim", "io.cpo4j.engine.io", "io.cpo4j.engine.kernels");
        assertThat(exports.get("io.cpo4j.engine.kernels")).containsExactly("io.cpo4j.model");
        assertThat(exports.get("io.cpo4j.engine.ops")).as("unqualified").isEmpty();
    }

    @Test
    void opsAreReachedThroughFAndTensorHasNoPublicOutputFactory() throws Exception {
        for (Method m : Tensor.class.getMethods()) assertThat(m.getName()).isNotIn("output", "over", "add", "matmul", "sum");
        for (String op : new String[] {"Arithmetic", "MatMul", "Reduce", "Linear", "CrossEntropy", "Embedding", "Attention",
                "RmsNorm", "Rotary", "SwiGlu"}) {
            assertThat(Modifier.isPublic(Class.forName("io.cpo4j.engine.ops." + op).getModifiers())).as(op).isFalse();
        }
    }

    @Test
    void theTensorLayerImportsNothingFromTheOps() throws Exception {
        try (Stream<Path> files = Files.list(Path.of("src/main/java/io/cpo4j/engine"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                assertThat(Files.readString(f)).as(f.toString()).doesNotContain("import io.cpo4j.engine.ops");
            }
        }
    }
}
