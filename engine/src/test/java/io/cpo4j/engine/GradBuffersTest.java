package io.cpo4j.engine;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Gradient buffers of a released graph are reused, zeroed, and never while something can still see them. */
class GradBuffersTest {

    private static final int N = GradBuffers.MIN_SIZE + 7;

    /** loss = mean((2w)²): dloss/dw = 8w / N. The intermediate 2w is N floats, large enough to be kept. */
    private static Tensor lossOf(Tensor w) {
        Tensor y = w.scale(2f);
        return y.mul(y).mean();
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
        Tensor y = w.scale(2f), z = y.mul(y);
        float[] yBuffer = y.gradBuffer(), zBuffer = z.gradBuffer();
        z.mean().backward();
        assertThat(yBuffer[0]).as("the buffer held a gradient").isNotZero();

        float[] a = GradBuffers.zeroed(N), b = GradBuffers.zeroed(N), c = GradBuffers.zeroed(N);
        assertThat(a == yBuffer && b == zBuffer || a == zBuffer && b == yBuffer).as("both released buffers reused").isTrue();
        assertThat(a).containsOnly(0f);
        assertThat(b).containsOnly(0f);
        assertThat(c).as("then new ones").isNotSameAs(yBuffer).isNotSameAs(zBuffer);
    }

    @Test
    void retainedAndLeafGradientsAreNeverReused() {
        Tensor w = Tensor.randn(new Rng(6), 1f, N).requiresGrad(true);
        Tensor y = w.scale(2f).retainGrad();
        y.mul(y).mean().backward();
        float[] retained = y.grad().data().clone(), leaf = w.grad().data().clone();

        lossOf(w.detach().requiresGrad(true)).backward();     // a new graph of the same sizes
        float[] fresh = GradBuffers.zeroed(N);
        fresh[0] = 123f;                                       // whatever the pool hands out is written over

        assertThat(y.grad().data()).as("retained gradient").containsExactly(retained);
        assertThat(w.grad().data()).as("leaf gradient").containsExactly(leaf);
    }
}
