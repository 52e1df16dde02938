package io.cpo4j.tests;

import io.cpo4j.cpo.loss.PlainCpoLoss;
import io.cpo4j.cpo.score.CandidateSet;
import io.cpo4j.cpo.score.SequenceScorer;
import io.cpo4j.cpo.score.SequenceScores;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.io.Json;
import io.cpo4j.engine.io.SafeTensors;
import io.cpo4j.engine.io.TextFiles;
import io.cpo4j.engine.ops.F;
import io.cpo4j.model.hf.HfCheckpoint;
import io.cpo4j.model.lm.LanguageModel;
import io.cpo4j.model.lora.LoraAdapters;
import io.cpo4j.model.lora.LoraConfig;
import io.cpo4j.model.hf.PeftAdapters;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static io.cpo4j.tests.ModelParityTest.assertGradientClose;
import static io.cpo4j.tests.ModelParityTest.assertValuesClose;
import static io.cpo4j.tests.ModelParityTest.fixtureName;
import static io.cpo4j.tests.ModelParityTest.inHfLayout;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * LoRA against PyTorch and PEFT's layout on every fixture folder with {@code lora/} ({@link Fixtures}):
 * the PEFT adapter folder loads onto the base; the adapted logits, loss and every adapter gradient;
 * the merged weights; a plain-CPO step whose reference is the base with the adapters off; and the
 * folder saved again equals PEFT's own files.
 * Tolerances from the fixtures' README.
 */
class LoraParityTest {

    @TestFactory
    Stream<DynamicNode> everyFixtureFolder() throws IOException {
        return Fixtures.everyFolder("lora/expected.safetensors", f -> List.of(
                DynamicTest.dynamicTest("adapted logits, loss and adapter gradients", () -> forwardAndBackward(f.dir())),
                DynamicTest.dynamicTest("merged weights", () -> merged(f.dir())),
                DynamicTest.dynamicTest("plain CPO against the base", () -> contrastive(f.dir())),
                DynamicTest.dynamicTest("saved again, PEFT's files", () -> savedAgain(f.dir()))));
    }

    @TempDir
    Path tmp;

    /** Loaded and saved again, the adapter folder holds what PEFT wrote: every config field and every tensor, bit for bit. */
    private void savedAgain(Path dir) throws IOException {
        Path peft = dir.resolve("lora").resolve("adapter"), again = tmp.resolve(dir.getFileName().toString());
        Map<String, Object> config = Json.parseObject(TextFiles.readUtf8(peft.resolve(PeftAdapters.CONFIG)), peft.toString());
        PeftAdapters.save(adapted(dir), again, (String) config.get("base_model_name_or_path"));
        assertThat(Json.parseObject(TextFiles.readUtf8(again.resolve(PeftAdapters.CONFIG)), again.toString())).isEqualTo(config);
        SafeTensors theirs = SafeTensors.open(peft.resolve(PeftAdapters.WEIGHTS)), ours = SafeTensors.open(again.resolve(PeftAdapters.WEIGHTS));
        assertThat(ours.names()).isEqualTo(theirs.names());
        assertThat(ours.metadata()).isEqualTo(theirs.metadata());
        for (String name : theirs.names()) {
            assertThat(ours.entry(name).shape()).as(name).containsExactly(theirs.entry(name).shape());
            assertThat(ours.floats(name)).as(name).containsExactly(theirs.floats(name));
        }
    }

    private static LanguageModel adapted(Path dir) throws IOException {
        LanguageModel base = HfCheckpoint.load(dir.resolve("model"));
        base.setTraining(false);
        LanguageModel adapted = PeftAdapters.load(base, dir.resolve("lora").resolve("adapter"));
        adapted.setTraining(false);
        SafeTensors st = SafeTensors.open(dir.resolve("lora").resolve("expected.safetensors"));
        LoraConfig lora = adapted.lora().orElseThrow();
        assertThat(lora.r()).isEqualTo(Integer.parseInt(st.metadata().get("r")));
        assertThat((double) lora.scale()).isEqualTo(Double.parseDouble(st.metadata().get("scaling")));
        return adapted;
    }

    private void forwardAndBackward(Path dir) throws IOException {
        LanguageModel model = adapted(dir);
        SafeTensors st = SafeTensors.open(dir.resolve("lora").resolve("expected.safetensors"));
        int[] shape = st.entry("input_ids").shape();
        int[] ids = st.ints("input_ids"), targets = st.ints("targets");
        Tensor logits = model.logits(ids, shape[0], shape[1]);
        assertValuesClose("logits", logits.toArray(), st.floats("logits"));
        Tensor loss = F.crossEntropy(logits, targets);
        assertValuesClose("loss", new float[] {loss.item()}, st.floats("loss"));
        model.parameters().zeroGrad();
        loss.backward();
        for (Tensor p : model.parameters().list()) {
            String key = "grad/" + PeftAdapters.key(model.config(), p.name());
            assertThat(st.contains(key)).as("fixture has " + key).isTrue();
            assertGradientClose(key, p.grad().toArray(), st.floats(key));
        }
        for (float g : model.withoutAdapters().parameters().grads()) assertThat(g).as("the frozen base gets no gradient").isZero();
    }

    private void merged(Path dir) throws IOException {
        LanguageModel model = adapted(dir);
        SafeTensors st = SafeTensors.open(dir.resolve("lora").resolve("expected.safetensors"));
        LanguageModel merged = model.mergeAndUnload();
        Set<String> weights = new LinkedHashSet<>();
        for (Tensor p : model.parameters().list()) weights.add(LoraAdapters.baseWeightName(p.name()));
        for (String w : weights) {
            String key = "merged/" + fixtureName(merged.config(), w);
            assertValuesClose(key, inHfLayout(merged.config(), merged.parameters().get(w)), st.floats(key));
        }
        int[] shape = st.entry("input_ids").shape();
        float[] logits;
        try (var scope = io.cpo4j.engine.Autograd.noGrad()) {
            logits = merged.logits(st.ints("input_ids"), shape[0], shape[1]).toArray();
        }
        assertValuesClose("merged model's logits", logits, st.floats("logits"));
    }

    private void contrastive(Path dir) throws IOException {
        LanguageModel policy = adapted(dir);
        SafeTensors st = SafeTensors.open(dir.resolve("lora").resolve("expected.safetensors"));
        double beta = Double.parseDouble(st.metadata().getOrDefault("beta", "0.1"));
        CandidateSet set = ContrastiveParityTest.candidates(st);
        SequenceScores ref = SequenceScorer.scoreNoGrad(policy.withoutAdapters(), set);
        assertValuesClose("reference_logps (the base)", ref.values(), st.floats("reference_logps"));
        SequenceScores pol = SequenceScorer.score(policy, set);
        assertValuesClose("policy_logps", pol.values(), st.floats("policy_logps"));
        float[] rewards = new float[pol.values().length];
        for (int i = 0; i < rewards.length; i++) rewards[i] = (float) (beta * (pol.values()[i] - ref.values()[i]));
        assertValuesClose("rewards", rewards, st.floats("rewards"));

        policy.parameters().zeroGrad();
        Tensor loss = new PlainCpoLoss(beta).apply(SequenceScorer.score(policy, set), ref);
        assertValuesClose("loss_plain", new float[] {loss.item()}, st.floats("loss_plain"));
        loss.backward();
        for (Tensor p : policy.parameters().list()) {
            String key = "grad_plain/" + PeftAdapters.key(policy.config(), p.name());
            assertGradientClose(key, p.grad().toArray(), st.floats(key));
        }
    }
}
