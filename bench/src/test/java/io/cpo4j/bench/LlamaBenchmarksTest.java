package io.cpo4j.bench;

import io.cpo4j.model.llama.Llama;
import io.cpo4j.model.llama.LlamaConfig;
import io.cpo4j.model.lm.Decoder;
import io.cpo4j.model.lm.KvCache;
import io.cpo4j.model.train.Trainer;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** What the Llama benchmarks build: the model the results file describes, the peer's step, and decoding at a fixed position. */
class LlamaBenchmarksTest {

    @Test
    void stepBenchmarksModelHasTheShapeTheTablesDescribe() {
        LlamaConfig c = LlamaStepBenchmark.model(LlamaTables.SHAPE.name());
        LlamaShape s = LlamaTables.SHAPE;
        assertThat(c.parameterCount()).isEqualTo(s.parameterCount());
        assertThat(new int[] {c.vocabSize(), c.width(), c.hiddenSize(), c.layers(), c.heads(), c.kvHeads(), c.headSize()})
                .containsExactly(s.vocab(), s.hidden(), s.intermediate(), s.layers(), s.heads(), s.kvHeads(), s.headDim());
    }

    @Test
    void trainerStepsWithThePeersOptimizerAndClipping() {
        Trainer trainer = LlamaStepBenchmark.trainer(LlamaConfig.tiny(), 2, 16);
        assertThat(trainer.config().gradClip()).isEqualTo(1f);
        assertThat(trainer.config().learningRate()).isEqualTo(6e-4f);
        assertThat(trainer.config().weightDecay()).isEqualTo(0.1f);
        Map<String, Double> first = trainer.step();
        // random init over the tiny vocabulary: loss near ln V
        assertThat(first.get("loss")).isBetween(Math.log(LlamaConfig.tiny().vocabSize()) - 0.5, Math.log(LlamaConfig.tiny().vocabSize()) + 0.5);
        assertThat(first.get("skipped")).isEqualTo(0.0);
        trainer.step();
        assertThat(trainer.stepsDone()).isEqualTo(2);
    }

    /** Rewinding to the prefilled length makes every call decode the same token at the same position: same logits as a full forward. */
    @Test
    void decodingAfterRewindRepeatsTheSameStepAsAFullForward() {
        LlamaConfig c = LlamaConfig.tiny();
        Llama llama = Llama.create(c, 3);
        llama.setTraining(false);
        Decoder decoder = llama.decoder();
        int position = 12;
        KvCache[] caches = LlamaDecodeBenchmark.prefill(decoder, 1, position, c.vocabSize());
        assertThat(caches[0].length()).isEqualTo(position);
        float[] first = decoder.forward(caches, new int[][] {{5}}, false);
        caches[0].truncate(position);
        float[] again = decoder.forward(caches, new int[][] {{5}}, false);
        assertThat(again).containsExactly(first);

        int[] ids = new int[position + 1];
        for (int t = 0; t < position; t++) ids[t] = (t * 7) % c.vocabSize();
        ids[position] = 5;
        float[] full = llama.logits(ids, 1, position + 1).toArray();
        int v = c.vocabSize();
        for (int i = 0; i < v; i++) assertThat(first[i]).isCloseTo(full[position * v + i], within(1e-4f));
    }
}
