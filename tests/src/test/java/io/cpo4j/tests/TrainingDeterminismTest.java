package io.cpo4j.tests;

import io.cpo4j.engine.kernels.Parallel;
import io.cpo4j.model.train.Trainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whole training steps — GPT forward and backward with dropout, gradient accumulation, clipping
 * and AdamW — give bit-identical losses and weights on 1, 2 and 3 engine threads, and when run
 * twice. (The engine's DeterminismTest checks the same op by op.)
 */
class TrainingDeterminismTest {

    private final int defaultThreads = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(defaultThreads);
    }

    record Result(List<Double> losses, List<Double> gradNorms, float[] weights, float[] secondMoments) {}

    private static Result train(int threads) {
        Parallel.setThreads(threads);
        Trainer t = CrashTrainMain.trainer(6);
        List<Double> losses = new ArrayList<>(), norms = new ArrayList<>();
        while (!t.finished()) {
            Map<String, Double> m = t.step();
            losses.add(m.get("loss"));
            norms.add(m.get("grad_norm"));
        }
        return new Result(losses, norms, t.model().parameters().values(), t.optimizer().secondMoments());
    }

    @Test
    void oneTwoAndThreeThreadsAndARepeatAgreeBitForBit() {
        Result one = train(1);
        for (Result other : List.of(train(2), train(3), train(1))) {
            assertThat(other.losses()).isEqualTo(one.losses());
            assertThat(other.gradNorms()).isEqualTo(one.gradNorms());
            assertThat(other.weights()).containsExactly(one.weights());
            assertThat(other.secondMoments()).containsExactly(one.secondMoments());
        }
        assertThat(one.losses().get(5)).as("the run trains").isLessThan(one.losses().get(0));
    }
}
