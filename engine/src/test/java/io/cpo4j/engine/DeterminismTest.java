package io.cpo4j.engine;

import io.cpo4j.engine.kernels.Parallel;
import io.cpo4j.engine.nn.Parameters;
import io.cpo4j.engine.ops.F;
import io.cpo4j.engine.optim.AdamW;
import io.cpo4j.engine.optim.GradClip;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** The same computation on 1 and 2 threads gives bit-identical results. */
class DeterminismTest {

    private final int defaultThreads = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(defaultThreads);
    }

    /** A transformer block's worth of every op: forward, backward, clipping and two AdamW steps. */
    private static float[][] train(int threads) {
        Parallel.setThreads(threads);
        int b = 8, t = 64, c = 96, heads = 3, vocab = 301;
        Parameters p = Parameters.builder()
                .add("wte", vocab, c).add("ln.w", c).add("ln.b", c)
                .add("attn.w", 3 * c, c).add("attn.b", 3 * c)
                .add("fc.w", 4 * c, c).add("fc.b", 4 * c).add("proj.w", c, 4 * c).add("proj.b", c)
                .build();
        Rng rng = new Rng(2024);
        for (int i = 0; i < p.count(); i++) p.values()[i] = (float) (rng.nextGaussian() * 0.05);
        Arrays.fill(p.values(), p.offset(1), p.offset(1) + c, 1f);
        int[] ids = new int[b * t], targets = new int[b * t];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = rng.nextInt(vocab);
            targets[i] = i % 11 == 0 ? -100 : rng.nextInt(vocab);
        }
        AdamW opt = AdamW.gptDefaults(p);
        float[] losses = new float[2];
        for (int step = 0; step < 2; step++) {
            p.zeroGrad();
            Tensor x = F.embedding(ids, new int[] {b, t}, p.get("wte"));            // (B, T, C)
            Tensor h = F.layerNorm(x, p.get("ln.w"), p.get("ln.b"), 1e-5f);
            Tensor qkv = F.linear(h, p.get("attn.w"), p.get("attn.b"));               // (B, T, 3C)
            x = F.add(x, F.causalSelfAttention(qkv, heads));
            Tensor m = F.gelu(F.linear(F.layerNorm(x, p.get("ln.w"), p.get("ln.b"), 1e-5f), p.get("fc.w"), p.get("fc.b")));
            x = F.add(x, F.dropout(F.linear(m, p.get("proj.w"), p.get("proj.b")), 0.1f, new Rng(step)));
            Tensor logits = F.matmul(x, p.get("wte").transpose());                       // (B, T, V)
            Tensor loss = F.add(F.crossEntropy(logits, targets), F.scale(F.mean(F.softmax(logits)), 0.1f));
            losses[step] = loss.item();
            loss.backward();
            GradClip.clip(p, 1.0);
            opt.step(1e-3f);
        }
        return new float[][] {losses, p.values().clone(), p.grads().clone(), opt.secondMoments().clone()};
    }

    @Test
    void oneTwoAndThreeThreadsAgreeBitForBit() {
        // The third run is JIT-compiled where the first was mostly interpreted: a kernel whose
        // result depends on compilation (e.g. an unordered lane reduction) shows up here too.
        float[][] one = train(1), two = train(2), three = train(3), again = train(1);
        for (int i = 0; i < one.length; i++) {
            assertThat(Arrays.equals(one[i], two[i])).as("result " + i + " differs between 1 and 2 threads").isTrue();
            assertThat(Arrays.equals(one[i], three[i])).as("result " + i + " differs between 1 and 3 threads").isTrue();
            assertThat(Arrays.equals(one[i], again[i])).as("result " + i + " differs between a cold and a warm run").isTrue();
        }
        assertThat(one[0][0]).isFinite().isGreaterThan(1f);
    }
}
