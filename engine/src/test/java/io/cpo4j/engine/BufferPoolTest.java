package io.cpo4j.engine;

import org.junit.jupiter.api.Test;
import io.cpo4j.engine.ops.F;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Gradient buffers of a released graph are reused, zeroed, and never while something can still see
 * them; op outputs are reused only after {@link Autograd#backwardAndRecycle}, which then refuses reads.
 */
class BufferPoolTest {

    private static final int N = BufferPool.MIN_SIZE + 7;

    /** loss = mean((2w)²): dloss/dw = 8w / N. The intermediate 2w is N floats, large enough to be kept. */
    private static Tensor lossOf(Tensor w) {
        Tensor y = F.scale(w, 2f);
        return F.mean(F.mul(y, y));
    }

    @Test
    void aSecondBackwardReusesTheBuffersZeroed() {
        Tensor w = Tensor.randn(new Rng(5), 1f, N).requiresGrad(true);
        lossOf(w).backward();
        float[] first = w.grad().data().clone();
        assertThat(first[3]).isCloseTo(8f * w.data()[3] / N, within(1e-9f));

        w.zeroGrad();
        lossOf(w).backward();                        // its intermediates' buffers come from the first pass
        assertThat(w.grad().data()).as("same gradient from recycled (zeroed) buffers").containsExactly(first);
    }

    @Test
    void releasedBuffersAreHandedOutZeroedThenFreshOnes() {
        Tensor w = Tensor.randn(new Rng(7), 1f, N).requiresGrad(true);
        Tensor y = F.scale(w, 2f), z = F.mul(y, y);
        float[] yBuffer = y.gradBuffer(), zBuffer = z.gradBuffer();
        F.mean(z).backward();
        assertThat(yBuffer[0]).as("the buffer held a gradient").isNotZero();

        float[] a = BufferPool.zeroed(N), b = BufferPool.zeroed(N), c = BufferPool.zeroed(N);
        assertThat(a == yBuffer && b == zBuffer || a == zBuffer && b == yBuffer).as("both released buffers reused").isTrue();
        assertThat(a).containsOnly(0f);
        assertThat(b).containsOnly(0f);
        assertThat(c).as("then new ones").isNotSameAs(yBuffer).isNotSameAs(zBuffer);
    }

    @Test
    void retainedAndLeafGradientsAreNeverReused() {
        Tensor w = Tensor.randn(new Rng(6), 1f, N).requiresGrad(true);
        Tensor y = F.scale(w, 2f).retainGrad();
        F.mean(F.mul(y, y)).backward();
        float[] retained = y.grad().data().clone(), leaf = w.grad().data().clone();

        lossOf(w.detach().requiresGrad(true)).backward();     // a new graph of the same sizes
        float[] fresh = BufferPool.zeroed(N);
        fresh[0] = 123f;                                       // whatever the pool hands out is written over

        assertThat(y.grad().data()).as("retained gradient").containsExactly(retained);
        assertThat(w.grad().data()).as("leaf gradient").containsExactly(leaf);
    }

    @Test
    void backwardAndRecycleHandsTheGraphsOutputsToTheNextOps() {
        Tensor w = Tensor.randn(new Rng(8), 1f, N).requiresGrad(true);
        Tensor y = F.scale(w, 2f), z = F.mul(y, y);
        float[][] released = {y.data(), z.data(), y.gradBuffer(), z.gradBuffer()};
        Autograd.backwardAndRecycle(F.mean(z), new float[] {1f});
        float[] gradient = w.grad().data().clone();

        assertThatThrownBy(y::data).isInstanceOf(IllegalStateException.class).hasMessageContaining("backwardAndRecycle");
        assertThatThrownBy(() -> z.get(0)).isInstanceOf(IllegalStateException.class);
        Tensor next = F.scale(w.detach(), 3f);                    // no graph: w.detach() needs no grad
        assertThat(oneOf(next.data(), released)).as("outputs and gradients of the graph reused").isTrue();
        assertThat(next.get(5)).as("a reused array is written over").isEqualTo(3f * w.data()[5]);
        float[] second = Tensor.output(new int[] {N}, false).data(), third = Tensor.output(new int[] {N}, false).data();
        float[] fourth = Tensor.output(new int[] {N}, true).data();
        assertThat(oneOf(second, released) && oneOf(third, released) && oneOf(fourth, released)).isTrue();
        assertThat(oneOf(next.data(), second, third, fourth) || oneOf(second, third, fourth) || third == fourth)
                .as("each handed out once").isFalse();
        assertThat(fourth).as("handed out zeroed when asked").containsOnly(0f);
        assertThat(oneOf(Tensor.output(new int[] {N}, false).data(), released)).as("then new ones").isFalse();

        w.zeroGrad();
        lossOf(w).backward();
        assertThat(w.grad().data()).as("same gradient as a plain backward").containsExactly(gradient);
    }

    @Test
    void everyOpResultComesFromTheOutputFactoryAndViewsDoNot() {
        Tensor w = Tensor.randn(new Rng(10), 1f, 4, 6).requiresGrad(true);
        Tensor soft = F.softmax(w), drop = F.dropout(soft, 0.5f, new Rng(11)), rows = F.sum(drop, -1, false);
        Tensor logp = F.tokenLogProbs(F.gelu(w), new int[] {0, F.IGNORE_INDEX, 5, 2});
        Tensor copied = w.transpose().contiguous(), view = soft.reshape(6, 4);
        Tensor loss = F.add(F.add(F.mean(rows), F.sum(logp)), F.add(F.mean(copied), F.mean(view)));
        Autograd.backwardAndRecycle(loss, new float[] {1f});
        for (Tensor t : new Tensor[] {soft, drop, rows, logp, copied, loss}) {
            assertThatThrownBy(t::data).as(t.toString()).isInstanceOf(IllegalStateException.class);
        }
        assertThat(view.toArray()).as("a view owns no storage").hasSize(24);
    }

    @Test
    void plainBackwardLeavesOutputsReadable() {
        Tensor w = Tensor.randn(new Rng(9), 1f, N).requiresGrad(true);
        Tensor y = F.scale(w, 2f);
        F.mean(F.mul(y, y)).backward();
        Tensor other = F.scale(w.detach(), 5f);
        assertThat(other.data()).isNotSameAs(y.data());
        assertThat(y.get(11)).isEqualTo(2f * w.data()[11]);
    }

    private static boolean oneOf(float[] a, float[]... arrays) {
        for (float[] b : arrays) if (a == b) return true;
        return false;
    }
}
