package io.cpo4j.engine;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TensorTest {

    private static Tensor ramp(int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) t.data()[i] = i;
        return t;
    }

    @Test
    void reshapeAndSliceAreViewsOfTheSameStorage() {
        Tensor x = ramp(4, 3);
        Tensor r = x.reshape(2, -1), s = x.slice(1, 3);
        assertThat(r.shape()).containsExactly(2, 6);
        assertThat(r.data()).isSameAs(x.data());
        assertThat(s.data()).isSameAs(x.data());
        assertThat(s.shape()).containsExactly(2, 3);
        assertThat(s.toArray()).containsExactly(3, 4, 5, 6, 7, 8);
        x.set(100f, 1, 0);
        assertThat(s.get(0, 0)).isEqualTo(100f);
    }

    @Test
    void transposeSwapsTheLastTwoDimensionsInPlace() {
        Tensor x = ramp(2, 2, 3);
        Tensor t = x.transpose();
        assertThat(t.shape()).containsExactly(2, 3, 2);
        assertThat(t.isTransposed()).isTrue();
        assertThat(t.data()).isSameAs(x.data());
        assertThat(t.get(1, 2, 0)).isEqualTo(x.get(1, 0, 2));
        assertThat(t.toArray()).containsExactly(0, 3, 1, 4, 2, 5, 6, 9, 7, 10, 8, 11);
        assertThat(t.transpose().isContiguous()).isTrue();
        assertThat(t.contiguous().toArray()).containsExactly(t.toArray());
        assertThat(t.reshape(12).toArray()).containsExactly(t.toArray());
    }

    @Test
    void badShapesAndIndicesAreRefusedWithTheirValues() {
        assertThatThrownBy(() -> Tensor.wrap(new float[5], 2, 3)).hasMessageContaining("5 values").hasMessageContaining("[2, 3]");
        assertThatThrownBy(() -> Tensor.zeros(2, -1)).hasMessageContaining("negative");
        assertThatThrownBy(() -> Tensor.zeros(1 << 16, 1 << 16)).hasMessageContaining("2^31");
        assertThatThrownBy(() -> ramp(2, 3).get(2, 0)).isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("[2, 0]");
        assertThatThrownBy(() -> ramp(2, 3).slice(1, 3)).hasMessageContaining("[1, 3)");
        assertThatThrownBy(() -> ramp(2, 3).item()).hasMessageContaining("6 elements");
        assertThatThrownBy(() -> ramp(3).transpose()).hasMessageContaining("rank >= 2");
    }

    @Test
    void rngIsReproducibleAndRestorable() {
        Rng a = new Rng(42), b = new Rng(42);
        for (int i = 0; i < 10; i++) assertThat(a.nextLong()).isEqualTo(b.nextLong());
        long saved = a.state();
        double x = a.nextGaussian();
        a.setState(saved);
        assertThat(a.nextGaussian()).isEqualTo(x);
        double mean = 0, sq = 0;
        Rng r = new Rng(7);
        int n = 200_000;
        for (int i = 0; i < n; i++) {
            double g = r.nextGaussian();
            mean += g;
            sq += g * g;
        }
        assertThat(mean / n).isBetween(-0.01, 0.01);
        assertThat(sq / n).isBetween(0.98, 1.02);
    }
}
