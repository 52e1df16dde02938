package io.cpo4j.engine;

import io.cpo4j.engine.kernels.Parallel;
import io.cpo4j.engine.nn.Parameters;
import io.cpo4j.engine.ops.F;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** F.checkpoint: the gradients of the stored graph, bit for bit, from a recomputation. */
class ActivationCheckpointTest {

    private final int defaultThreads = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(defaultThreads);
    }

    private static final int B = 2, T = 16, C = 24, HEADS = 3, LAYERS = 3, VOCAB = 37;

    /** Three GPT-like blocks with dropout, an embedding below and a tied head above. */
    private static Parameters params() {
        Parameters.Builder b = Parameters.builder().add("wte", VOCAB, C);
        for (int l = 0; l < LAYERS; l++) {
            b.add(l + ".ln.w", C).add(l + ".ln.b", C).add(l + ".attn.w", 3 * C, C).add(l + ".attn.b", 3 * C)
                    .add(l + ".fc.w", 4 * C, C).add(l + ".fc.b", 4 * C).add(l + ".proj.w", C, 4 * C).add(l + ".proj.b", C);
        }
        Parameters p = b.build();
        Rng rng = new Rng(7);
        for (int i = 0; i < p.count(); i++) p.values()[i] = (float) (rng.nextGaussian() * 0.1);
        return p;
    }

    private static Tensor block(Parameters p, int l, Tensor x, Rng dropout) {
        Tensor h = F.layerNorm(x, p.get(l + ".ln.w"), p.get(l + ".ln.b"), 1e-5f);
        Tensor a = F.causalSelfAttention(F.linear(h, p.get(l + ".attn.w"), p.get(l + ".attn.b")), HEADS);   // (B, T, C)
        x = F.add(x, F.dropout(a, 0.2f, dropout));
        Tensor m = F.gelu(F.linear(F.layerNorm(x, p.get(l + ".ln.w"), p.get(l + ".ln.b"), 1e-5f), p.get(l + ".fc.w"), p.get(l + ".fc.b")));
        return F.add(x, F.dropout(F.linear(m, p.get(l + ".proj.w"), p.get(l + ".proj.b")), 0.2f, dropout));
    }

    private static int[] ids(int salt) {
        Rng rng = new Rng(100 + salt);
        int[] ids = new int[B * T];
        for (int i = 0; i < ids.length; i++) ids[i] = rng.nextInt(VOCAB);
        return ids;
    }

    private static Tensor loss(Parameters p, int[] ids, Rng dropout, boolean checkpointed) {
        Tensor x = F.dropout(F.embedding(ids, new int[] {B, T}, p.get("wte")), 0.2f, dropout);    // (B, T, C)
        for (int l = 0; l < LAYERS; l++) {
            int layer = l;
            UnaryOperator<Tensor> f = in -> block(p, layer, in, dropout);
            x = checkpointed ? F.checkpoint(f, x, dropout) : f.apply(x);
        }
        int[] targets = ids.clone();
        for (int i = 0; i < targets.length; i++) targets[i] = (targets[i] * 7 + 3) % VOCAB;
        return F.crossEntropy(F.matmul(x, p.get("wte").transpose()), targets);
    }

    /** Loss, gradients and the dropout generator's state after two micro-batches accumulated. */
    private record Run(float[] losses, float[] grads, long rngState) {}

    private static Run run(boolean checkpointed, boolean recycle, int threads) {
        Parallel.setThreads(threads);
        Parameters p = params();
        Rng dropout = new Rng(5);
        float[] losses = new float[2];
        for (int micro = 0; micro < 2; micro++) {
            Tensor loss = loss(p, ids(micro), dropout, checkpointed);
            losses[micro] = loss.item();
            if (recycle) Autograd.backwardAndRecycle(loss, new float[] {1f});
            else loss.backward();
        }
        return new Run(losses, p.grads().clone(), dropout.state());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void gradientsWithDropoutAreBitIdenticalToTheStoredGraph(int threads) {
        Run stored = run(false, false, threads), recomputed = run(true, false, threads);
        assertThat(recomputed.losses()).containsExactly(stored.losses());
        assertThat(recomputed.grads()).containsExactly(stored.grads());
        assertThat(recomputed.rngState()).as("the generator ends where the stored run leaves it").isEqualTo(stored.rngState());
        assertThat(maxAbs(stored.grads())).isGreaterThan(0f);
    }

    @Test
    void aRecyclingBackwardGivesTheSameGradientsOnOneAndTwoThreads() {
        Run stored = run(false, true, 1);
        assertThat(run(true, true, 1).grads()).containsExactly(stored.grads());
        assertThat(run(true, true, 2).grads()).containsExactly(stored.grads());
    }

    @Test
    void theDropoutMasksAreReplayedAndTheGeneratorIsLeftWhereTheBackwardFoundIt() {
        Tensor x = Tensor.randn(new Rng(1), 1f, 4, 8).requiresGrad(true);
        Tensor w = Tensor.randn(new Rng(2), 1f, 8, 8).requiresGrad(true);
        Rng rng = new Rng(3);
        AtomicInteger calls = new AtomicInteger();
        Tensor y = F.checkpoint(in -> {
            calls.incrementAndGet();
            return F.dropout(F.linear(in, w, null), 0.5f, rng);
        }, x, rng);
        float[] first = y.toArray();
        rng.nextLong();                                        // the caller draws on between forward and backward
        long before = rng.state();
        F.sum(y).backward();
        assertThat(calls.get()).isEqualTo(2);
        assertThat(rng.state()).isEqualTo(before);

        // the stored graph with the same mask: the gradients the recomputation must have given
        Tensor x2 = Tensor.of(x.toArray(), 4, 8).requiresGrad(true), w2 = Tensor.of(w.toArray(), 8, 8).requiresGrad(true);
        Tensor y2 = F.dropout(F.linear(x2, w2, null), 0.5f, new Rng(3));
        assertThat(y2.toArray()).containsExactly(first);
        F.sum(y2).backward();
        assertThat(x.grad().toArray()).containsExactly(x2.grad().toArray());
        assertThat(w.grad().toArray()).containsExactly(w2.grad().toArray());
        int zeros = 0;
        for (float v : first) if (v == 0f) zeros++;
        assertThat(zeros).as("dropout dropped some").isBetween(1, first.length - 1);
    }

    @Test
    void withoutGradTheFunctionJustRuns() {
        Parameters p = params();
        int[] ids = ids(0);
        float[] plain, checkpointed;
        Rng a = new Rng(5), b = new Rng(5);
        try (var scope = Autograd.noGrad()) {
            plain = loss(p, ids, a, false).toArray();
            Tensor out = loss(p, ids, b, true);
            assertThat(out.requiresGrad()).isFalse();
            checkpointed = out.toArray();
        }
        assertThat(checkpointed).containsExactly(plain);
        assertThat(b.state()).isEqualTo(a.state());
    }

    @Test
    void aBackwardInsideANoGradScopeStillRecomputesWithAGraph() {
        Tensor x = Tensor.of(new float[] {1f, 2f, 3f}, 3).requiresGrad(true);
        Tensor y = F.sum(F.checkpoint(in -> F.mul(in, in), x));
        try (var scope = Autograd.noGrad()) {
            y.backward();
            assertThat(Autograd.isGradEnabled()).isFalse();
        }
        assertThat(x.grad().toArray()).containsExactly(2f, 4f, 6f);
    }

    @Test
    void aFrozenInputStillLetsTheParametersInsideLearn() {
        Tensor x = Tensor.of(new float[] {1f, -2f}, 1, 2);                        // no grad: a frozen embedding's output
        Tensor w = Tensor.of(new float[] {0.5f, 1f, 2f, -1f}, 2, 2).requiresGrad(true);
        Tensor y = F.checkpoint(in -> F.linear(in, w, null), x);
        assertThat(y.requiresGrad()).isTrue();
        F.sum(y).backward();
        assertThat(w.grad().toArray()).containsExactly(1f, -2f, 1f, -2f);
        assertThat(x.hasGrad()).isFalse();
    }

    @Test
    void nothingToTrainInsideIsAPlainRun() {
        Tensor x = Tensor.of(new float[] {1f, 2f}, 2);
        Tensor y = F.checkpoint(in -> F.scale(in, 2f), x);
        assertThat(y.requiresGrad()).isFalse();
        assertThat(y.toArray()).containsExactly(2f, 4f);
    }

    @Test
    void aFunctionReadingAnotherTensorOfTheGraphIsRefused() {
        Tensor w = Tensor.of(new float[] {1f, 2f}, 2).requiresGrad(true);
        Tensor outside = F.scale(w, 3f);                                           // not a leaf
        Tensor x = Tensor.of(new float[] {1f, 1f}, 2).requiresGrad(true);
        assertThatThrownBy(() -> F.checkpoint(in -> F.mul(in, outside), x))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("checkpoint").hasMessageContaining("outside it");
    }

    @Test
    void aFunctionThatDrawsDifferentlyTheSecondTimeIsRefused() {
        Tensor x = Tensor.of(new float[] {1f, 2f, 3f, 4f}, 4).requiresGrad(true);
        Rng rng = new Rng(9);
        AtomicInteger calls = new AtomicInteger();
        Tensor y = F.checkpoint(in -> {
            int draws = calls.incrementAndGet();                  // one draw the first time, two the second
            for (int i = 0; i < draws; i++) rng.nextLong();
            return F.mul(in, in);
        }, x, rng);
        long state = rng.state();
        assertThatThrownBy(() -> F.sum(y).backward()).isInstanceOf(IllegalStateException.class).hasMessageContaining("differently");
        assertThat(rng.state()).isEqualTo(state);
    }

    private static float maxAbs(float[] a) {
        float m = 0;
        for (float v : a) m = Math.max(m, Math.abs(v));
        return m;
    }
}
