package io.cpo4j.engine.optim;

import io.cpo4j.engine.Rng;
import io.cpo4j.engine.nn.Parameters;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** Clipping folded into the update gives the numbers of clipping first. */
class AdamWTest {

    /** Matrices (decayed) and vectors (not) interleaved, one of them frozen, as in a model. */
    private static Parameters parameters(long seed) {
        Parameters p = Parameters.builder()
                .add("wte", 61, 24).add("ln.w", 24).add("ln.b", 24)
                .add("fc.w", 96, 24).add("fc.b", 96).add("frozen.w", 24, 24).add("proj.w", 24, 96).add("proj.b", 24)
                .build();
        p.get("frozen.w").requiresGrad(false);
        Rng rng = new Rng(seed);
        for (int i = 0; i < p.count(); i++) {
            p.values()[i] = (float) (rng.nextGaussian() * 0.1);
            p.grads()[i] = (float) (rng.nextGaussian() * 0.3);
        }
        return p;
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.5, 1e9})                 // clipping, and a norm far below the limit
    void foldedClipMatchesClipThenStep(double maxNorm) {
        Parameters clipped = parameters(7), folded = parameters(7);
        AdamW first = AdamW.gptDefaults(clipped), second = AdamW.gptDefaults(folded);
        float[] gradsBefore = null;
        for (int step = 0; step < 3; step++) {
            Rng rng = new Rng(100 + step);                      // fresh gradients every step, as after a backward pass
            for (int i = 0; i < clipped.count(); i++) clipped.grads()[i] = folded.grads()[i] = (float) (rng.nextGaussian() * 0.3);
            gradsBefore = folded.grads().clone();
            GradClip.clip(clipped, maxNorm);
            first.step(1e-2f);
            second.step(1e-2f, GradClip.coefficient(GradClip.norm(folded), maxNorm));
        }
        assertThat(Arrays.equals(clipped.values(), folded.values())).as("parameters bit for bit").isTrue();
        assertThat(Arrays.equals(first.firstMoments(), second.firstMoments())).isTrue();
        assertThat(Arrays.equals(first.secondMoments(), second.secondMoments())).isTrue();
        assertThat(folded.grads()).as("the folded update leaves the gradients as they were").containsExactly(gradsBefore);
        float[] untouched = parameters(7).values();
        int frozen = folded.offset(5);
        assertThat(Arrays.copyOfRange(folded.values(), frozen, frozen + 24 * 24))
                .as("a frozen tensor is not updated").containsExactly(Arrays.copyOfRange(untouched, frozen, frozen + 24 * 24));
        assertThat(folded.values()[0]).as("parameters moved").isNotEqualTo(untouched[0]);
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.5, 1e9})
    void coefficientIsWhatClipScalesBy(double maxNorm) {
        Parameters p = parameters(3);
        double norm = GradClip.norm(p);
        float g0 = p.grads()[5];
        float coef = GradClip.coefficient(norm, maxNorm);
        GradClip.clip(p, maxNorm);
        assertThat(p.grads()[5]).isEqualTo(g0 * coef);
        assertThat(coef).isEqualTo(maxNorm < norm ? (float) (maxNorm / (norm + 1e-6)) : 1f);
    }
}
