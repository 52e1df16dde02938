package io.cpo4j.tests;

import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.io.SafeTensors;
import io.cpo4j.engine.nn.Parameters;
import io.cpo4j.engine.optim.AdamW;
import io.cpo4j.engine.optim.GradClip;
import io.cpo4j.model.gen.Generation;
import io.cpo4j.model.gen.GenerationConfig;
import io.cpo4j.model.gen.Generator;
import io.cpo4j.model.gen.Sampling;
import io.cpo4j.model.hf.HfCheckpoint;
import io.cpo4j.model.lm.LanguageModel;
import io.cpo4j.model.lm.ModelConfig;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each model family against PyTorch (float64 reference values) on every fixture folder that has
 * {@code model/config.json} and {@code lm.safetensors}, in the repository's own tests/fixtures and in the
 * second check ({@link Fixtures}): logits, loss with ignored targets, every gradient, three AdamW steps
 * with clipping, greedy tokens. The family comes from config.json. Tolerances
 * from the fixtures' README.
 */
class ModelParityTest {

    @TestFactory
    Stream<DynamicNode> everyFixtureFolder() throws IOException {
        return Fixtures.everyFolder("lm.safetensors", f -> {
                        List<DynamicTest> tests = new ArrayList<>();
            tests.add(DynamicTest.dynamicTest("logits, loss and every gradient", () -> forwardAndBackward(f.dir())));
            if (Files.isRegularFile(f.dir().resolve("adamw.safetensors"))) tests.add(DynamicTest.dynamicTest("three AdamW steps with clipping", () -> adamw(f.dir())));
            if (Files.isRegularFile(f.dir().resolve("greedy.safetensors"))) tests.add(DynamicTest.dynamicTest("greedy tokens", () -> greedy(f.dir())));
            return tests;
        });
    }

    private static int[] ints(SafeTensors st, String name) throws IOException {
        return st.ints(name);
    }

    /** |a − e| ≤ 1e-4·|e| or ≤ 1e-5. */
    static void assertValuesClose(String what, float[] actual, float[] expected) {
        assertThat(actual).as(what + ": size").hasSameSizeAs(expected);
        for (int i = 0; i < actual.length; i++) {
            double tol = Math.max(1e-4 * Math.abs(expected[i]), 1e-5);
            assertThat((double) Math.abs(actual[i] - expected[i])).as("%s[%d]: %s vs %s", what, i, actual[i], expected[i]).isLessThanOrEqualTo(tol);
        }
    }

    /** Every element within 1e-3 of the tensor's own max-abs value. */
    static void assertGradientClose(String what, float[] actual, float[] expected) {
        assertThat(actual).as(what + ": size").hasSameSizeAs(expected);
        double maxAbs = 0;
        for (float e : expected) maxAbs = Math.max(maxAbs, Math.abs(e));
        for (int i = 0; i < actual.length; i++) {
            assertThat((double) Math.abs(actual[i] - expected[i])).as("%s[%d]: %s vs %s (max-abs %s)", what, i, actual[i], expected[i], maxAbs)
                    .isLessThanOrEqualTo(1e-3 * maxAbs + 1e-12);
        }
    }

    /** A parameter's name in the fixtures: its HuggingFace name without the {@code transformer.} / {@code model.} prefix. */
    static String fixtureName(ModelConfig config, String parameter) {
        String key = HfCheckpoint.fileKey(config, parameter);
        return key.startsWith("transformer.") ? key.substring("transformer.".length()) : key.startsWith("model.") ? key.substring("model.".length()) : key;
    }

    /** A parameter's values as HuggingFace's files hold them: GPT-2's Conv1D weights (in, out), the rest as they are. */
    static float[] inHfLayout(ModelConfig config, Tensor p) {
        float[] v = p.toArray();
        if (!HfCheckpoint.storedTransposed(config, p.name())) return v;
        int out = p.size(0), in = p.size(1);
        float[] t = new float[v.length];
        for (int o = 0; o < out; o++) for (int i = 0; i < in; i++) t[i * out + o] = v[o * in + i];
        return t;
    }

    static float[] gradInHfLayout(ModelConfig config, Tensor p) {
        return inHfLayout(config, p.grad().named(p.name()));
    }

    private void forwardAndBackward(Path dir) throws IOException {
        LanguageModel gpt = HfCheckpoint.load(dir.resolve("model"));
        gpt.setTraining(false);
        SafeTensors lm = SafeTensors.open(dir.resolve("lm.safetensors"));
        int[] shape = lm.entry("input_ids").shape();
        int b = shape[0], t = shape[1];
        int[] ids = ints(lm, "input_ids"), targets = ints(lm, "targets");
        assertThat(Arrays.stream(targets).anyMatch(x -> x < 0)).as("the fixture exercises the ignore index").isTrue();

        Tensor logits = gpt.logits(ids, b, t);
        assertValuesClose("logits", logits.toArray(), lm.floats("logits"));
        Tensor loss = io.cpo4j.engine.ops.F.crossEntropy(logits, targets);
        assertValuesClose("loss", new float[] {loss.item()}, lm.floats("loss"));

        gpt.parameters().zeroGrad();
        loss.backward();
        int checked = 0;
        for (Tensor p : gpt.parameters().list()) {
            String key = "grad/" + fixtureName(gpt.config(), p.name());
            assertThat(lm.contains(key)).as("fixture has " + key).isTrue();
            assertGradientClose(key, gradInHfLayout(gpt.config(), p), lm.floats(key));
            checked++;
        }
        assertThat(checked).isEqualTo(gpt.parameters().list().size());
    }

    private void adamw(Path dir) throws IOException {
        LanguageModel gpt = HfCheckpoint.load(dir.resolve("model"));
        gpt.setTraining(false);
        SafeTensors st = SafeTensors.open(dir.resolve("adamw.safetensors"));
        var meta = st.metadata();
        float lr = Float.parseFloat(meta.getOrDefault("lr", "1e-3"));
        float beta1 = Float.parseFloat(meta.getOrDefault("beta1", "0.9")), beta2 = Float.parseFloat(meta.getOrDefault("beta2", "0.95"));
        float eps = Float.parseFloat(meta.getOrDefault("eps", "1e-8")), wd = Float.parseFloat(meta.getOrDefault("weight_decay", "0.1"));
        double clip = Double.parseDouble(meta.getOrDefault("clip_norm", "1.0"));
        int steps = st.entry("losses").shape()[0];
        int[] shape = st.entry("input_ids").shape();
        int[] ids = ints(st, "input_ids"), targets = ints(st, "targets");
        float[] expectedLosses = st.floats("losses"), expectedNorms = st.floats("grad_norms");

        Parameters params = gpt.parameters();
        AdamW opt = new AdamW(params, beta1, beta2, eps, wd);
        float[] losses = new float[steps], norms = new float[steps];
        for (int s = 0; s < steps; s++) {
            params.zeroGrad();
            Tensor loss = gpt.loss(ids, targets, shape[0], shape[1]);
            losses[s] = loss.item();
            loss.backward();
            norms[s] = (float) GradClip.clip(params, clip);
            opt.step(lr);
        }
        assertValuesClose("losses", losses, expectedLosses);
        assertValuesClose("grad norms", norms, expectedNorms);
        for (Tensor p : params.list()) {
            float[] expected = st.floats("param/" + fixtureName(gpt.config(), p.name())), actual = inHfLayout(gpt.config(), p);
            for (int i = 0; i < expected.length; i++) {
                assertThat((double) Math.abs(actual[i] - expected[i])).as("param/%s[%d]", p.name(), i).isLessThanOrEqualTo(2e-4);
            }
        }
    }

    private void greedy(Path dir) throws IOException {
        LanguageModel gpt = HfCheckpoint.load(dir.resolve("model"));
        gpt.setTraining(false);
        SafeTensors st = SafeTensors.open(dir.resolve("greedy.safetensors"));
        int[] prompt = ints(st, "prompt"), expected = ints(st, "generated");
        // With the KV cache, as users generate ...
        Generation cached = new Generator(gpt).generate(List.of(prompt), GenerationConfig.of(expected.length, Sampling.greedyDecoding(), 0)).get(0);
        assertThat(cached.tokens()).as("KV-cache greedy").containsExactly(expected);
        // ... and by recomputing the whole sequence each step, through the training forward.
        int[] seq = Arrays.copyOf(prompt, prompt.length + expected.length);
        try (var scope = Autograd.noGrad()) {
            for (int i = 0; i < expected.length; i++) {
                int len = prompt.length + i;
                float[] logits = gpt.logits(Arrays.copyOf(seq, len), 1, len).toArray();
                int v = gpt.config().vocabSize(), best = 0;
                for (int j = 1; j < v; j++) if (logits[(len - 1) * v + j] > logits[(len - 1) * v + best]) best = j;
                seq[len] = best;
            }
        }
        assertThat(Arrays.copyOfRange(seq, prompt.length, seq.length)).as("recomputed greedy").containsExactly(expected);
    }
}
