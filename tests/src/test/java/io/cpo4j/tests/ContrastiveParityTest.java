package io.cpo4j.tests;

import io.cpo4j.cpo.loss.DpoLoss;
import io.cpo4j.cpo.loss.PlainCpoLoss;
import io.cpo4j.cpo.loss.RankedCpoLoss;
import io.cpo4j.cpo.loss.SequenceLoss;
import io.cpo4j.cpo.loss.XuCpoLoss;
import io.cpo4j.cpo.score.CandidateSet;
import io.cpo4j.cpo.score.SequenceScorer;
import io.cpo4j.cpo.score.SequenceScores;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.io.SafeTensors;
import io.cpo4j.model.lm.LanguageModel;
import io.cpo4j.model.hf.HfCheckpoint;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static io.cpo4j.tests.ModelParityTest.assertGradientClose;
import static io.cpo4j.tests.ModelParityTest.assertValuesClose;
import static io.cpo4j.tests.ModelParityTest.gradInHfLayout;
import static org.assertj.core.api.Assertions.assertThat;

/** Sequence log-probs and every contrastive objective against {@code contrastive.safetensors}, values and gradients, on every fixture folder ({@link Fixtures}). */
class ContrastiveParityTest {

    @TestFactory
    Stream<DynamicNode> everyFixtureFolder() throws IOException {
        return Fixtures.everyFolder("contrastive.safetensors", f -> List.of(DynamicTest.dynamicTest("scores, losses and gradients",
                () -> check(f.dir()))));
    }

    static CandidateSet candidates(SafeTensors st) throws IOException {
        int[] shape = st.entry("sequences").shape();
        int b = shape[0], k = shape[1], t = shape[2];
        int[] seqs = st.ints("sequences"), prompt = st.ints("prompt_len"), len = st.ints("seq_len");
        int[][] prefixes = new int[b][];
        int[][][] conts = new int[b][k][];
        for (int e = 0; e < b; e++) {
            prefixes[e] = Arrays.copyOfRange(seqs, e * k * t, e * k * t + prompt[e]);
            for (int j = 0; j < k; j++) {
                int row = (e * k + j) * t;
                assertThat(Arrays.copyOfRange(seqs, row, row + prompt[e])).as("candidates share their prompt").containsExactly(prefixes[e]);
                conts[e][j] = Arrays.copyOfRange(seqs, row + prompt[e], row + len[e * k + j]);
            }
        }
        return new CandidateSet(prefixes, conts);
    }

    private void check(Path dir) throws IOException {
        SafeTensors st = SafeTensors.open(dir.resolve("contrastive.safetensors"));
        double beta = Double.parseDouble(st.metadata().getOrDefault("beta", "0.1"));
        double alpha = Double.parseDouble(st.metadata().getOrDefault("cpo_xu_alpha", "1.0"));
        CandidateSet set = candidates(st);
        LanguageModel policy = HfCheckpoint.load(dir.resolve("model"));
        LanguageModel reference = HfCheckpoint.load(dir.resolve("model"));
        HfCheckpoint.loadWeights(reference, dir.resolve("reference.safetensors"));

        SequenceScores ref = SequenceScorer.scoreNoGrad(reference, set);
        assertValuesClose("reference_logps", ref.values(), st.floats("reference_logps"));
        SequenceScores pol = SequenceScorer.score(policy, set);
        assertValuesClose("policy_logps", pol.values(), st.floats("policy_logps"));
        assertValuesClose("policy_logps_mean", pol.means(), st.floats("policy_logps_mean"));
        float[] rewards = new float[pol.values().length];
        for (int i = 0; i < rewards.length; i++) rewards[i] = (float) (beta * (pol.values()[i] - ref.values()[i]));
        assertValuesClose("rewards", rewards, st.floats("rewards"));

        assertLoss("loss_dpo", new DpoLoss(beta), policy, set, ref, st, null);
        assertLoss("loss_cpo_xu", new XuCpoLoss(beta, alpha), policy, set, ref, st, null);
        assertLoss("loss_plain", new PlainCpoLoss(beta), policy, set, ref, st, "grad_plain/");
        assertLoss("loss_ranked", new RankedCpoLoss(beta), policy, set, ref, st, "grad_ranked/");
    }

    private void assertLoss(String key, SequenceLoss loss, LanguageModel policy, CandidateSet set, SequenceScores ref, SafeTensors st, String gradPrefix) throws IOException {
        policy.parameters().zeroGrad();
        Tensor value = loss.apply(SequenceScorer.score(policy, set), ref);
        assertValuesClose(key, new float[] {value.item()}, st.floats(key));
        if (gradPrefix == null) return;
        value.backward();
        for (Tensor p : policy.parameters().list()) {
            String gradKey = gradPrefix + ModelParityTest.fixtureName(policy.config(), p.name());
            assertGradientClose(gradKey, gradInHfLayout(policy.config(), p), st.floats(gradKey));
        }
    }
}
