package io.cpo4j.engine;

import io.cpo4j.engine.kernels.Parallel;
import io.cpo4j.engine.nn.Parameters;
import io.cpo4j.engine.ops.F;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** A Llama block (RMSNorm, rotary q and k, grouped-query attention, SwiGLU MLP) gives bit-identical results on 1 and 2 threads. */
class LlamaDeterminismTest {

    private final int defaultThreads = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(defaultThreads);
    }

    private static float[][] step(int threads) {
        Parallel.setThreads(threads);
        int b = 4, t = 70, heads = 8, kvHeads = 2, d = 12, c = heads * d, kv = kvHeads * d, hidden = 160, vocab = 97;
        Parameters p = Parameters.builder()
                .add("wte", vocab, c).add("norm1", c).add("norm2", c)
                .add("q", c, c).add("k", kv, c).add("v", kv, c).add("o", c, c)
                .add("gate", hidden, c).add("up", hidden, c).add("down", c, hidden)
                .build();
        Rng rng = new Rng(7);
        for (int i = 0; i < p.count(); i++) p.values()[i] = (float) (rng.nextGaussian() * 0.1);
        int half = d / 2;
        float[] cos = new float[t * half], sin = new float[t * half];
        for (int pos = 0; pos < t; pos++)
            for (int i = 0; i < half; i++) {
                double angle = pos / Math.pow(10000, 2.0 * i / d);
                cos[pos * half + i] = (float) Math.cos(angle);
                sin[pos * half + i] = (float) Math.sin(angle);
            }
        int[] positions = new int[t], ids = new int[b * t], targets = new int[b * t];
        for (int i = 0; i < t; i++) positions[i] = i;
        for (int i = 0; i < ids.length; i++) {
            ids[i] = rng.nextInt(vocab);
            targets[i] = rng.nextInt(vocab);
        }
        Tensor x = F.embedding(ids, new int[] {b, t}, p.get("wte"));                                // (B, T, C)
        Tensor h = F.rmsNorm(x, p.get("norm1"), 1e-6f);
        Tensor q = F.rotary(F.linear(h, p.get("q"), null), d, cos, sin, positions);             // (B, T, H·D)
        Tensor k = F.rotary(F.linear(h, p.get("k"), null), d, cos, sin, positions);             // (B, T, KV·D)
        Tensor v = F.linear(h, p.get("v"), null);
        x = F.add(x, F.linear(F.causalSelfAttention(q, k, v, heads, kvHeads), p.get("o"), null));
        h = F.rmsNorm(x, p.get("norm2"), 1e-6f);
        x = F.add(x, F.linear(F.swiglu(F.linear(h, p.get("gate"), null), F.linear(h, p.get("up"), null)), p.get("down"), null));
        Tensor loss = F.crossEntropy(F.matmul(x, p.get("wte").transpose()), targets);
        float value = loss.item();
        loss.backward();
        float[] blockNorms = new float[p.list().size()];                          // one per parameter
        for (int i = 0; i < blockNorms.length; i++) {
            for (float g : p.list().get(i).grad().toArray()) blockNorms[i] += g * g;
        }
        return new float[][] {{value}, p.grads().clone(), blockNorms};
    }

    @Test
    void oneAndTwoThreadsAgreeBitForBit() {
        float[][] one = step(1), two = step(2), again = step(1);
        for (int i = 0; i < one.length; i++) {
            assertThat(Arrays.equals(one[i], two[i])).as("result " + i + " differs between 1 and 2 threads").isTrue();
            assertThat(Arrays.equals(one[i], again[i])).as("result " + i + " differs between a cold and a warm run").isTrue();
        }
        assertThat(one[0][0]).isFinite().isGreaterThan(1f);
        for (int i = 0; i < one[2].length; i++) assertThat(one[2][i]).as("gradient of parameter " + i).isGreaterThan(0f);
    }
}
