package io.cpo4j.engine.ops;

import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.Rng;
import io.cpo4j.engine.Tensor;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Without a graph, up to 8 rows go through the mat-vec kernel (decoding); the result equals the GEMM path's. */
class LinearMatVecPathTest {

    @Test
    void smallRowCountsWithoutAGraphMatchTheGemmPath() {
        Rng rng = new Rng(11);
        for (int rows = 1; rows <= Linear.MATVEC_ROWS + 1; rows++) {
            for (boolean withBias : new boolean[] {false, true}) {
                Tensor x = Tensor.randn(rng, 1f, 1, rows, 37), w = Tensor.randn(rng, 1f, 29, 37).requiresGrad(true);
                Tensor b = withBias ? Tensor.randn(rng, 1f, 29).requiresGrad(true) : null;
                float[] graph = F.linear(x, w, b).toArray();                       // records a graph: GEMM
                float[] plain;
                try (var s = Autograd.noGrad()) {
                    plain = F.linear(x, w, b).toArray();                            // no graph: mat-vec up to 8 rows
                }
                assertThat(plain).hasSameSizeAs(graph);
                double[] ref = new double[rows * 29];
                float[] xs = x.toArray(), ws = w.toArray(), bs = withBias ? b.toArray() : null;
                for (int r = 0; r < rows; r++) {
                    for (int o = 0; o < 29; o++) {
                        double acc = withBias ? bs[o] : 0;
                        for (int i = 0; i < 37; i++) acc += (double) xs[r * 37 + i] * ws[o * 37 + i];
                        ref[r * 29 + o] = acc;
                    }
                }
                for (int i = 0; i < plain.length; i++) {
                    assertThat((double) plain[i]).as("rows %d, bias %s, [%d]", rows, withBias, i).isCloseTo(ref[i], org.assertj.core.data.Offset.offset(1e-4));
                    assertThat((double) plain[i]).isCloseTo(graph[i], org.assertj.core.data.Offset.offset(1e-4));
                }
            }
        }
    }

    @Test
    void linearsEqualSeparateLinearsWithAndWithoutAGraph() {
        Rng rng = new Rng(12);
        for (int rows : new int[] {1, 5, 12}) {
            Tensor x = Tensor.randn(rng, 1f, 1, rows, 24).requiresGrad(true);
            Tensor[] w = {Tensor.randn(rng, 1f, 16, 24).requiresGrad(true), Tensor.randn(rng, 1f, 8, 24).requiresGrad(true)};
            Tensor[] b = {Tensor.randn(rng, 1f, 16).requiresGrad(true), null};
            try (var s = Autograd.noGrad()) {
                Tensor[] together = F.linears(x, w, b);
                for (int m = 0; m < 2; m++) {
                    assertThat(together[m].shape()).containsExactly(1, rows, w[m].shape()[0]);
                    assertThat(java.util.Arrays.equals(together[m].toArray(), F.linear(x, w[m], b[m]).toArray())).as("rows %d, weight %d", rows, m).isTrue();
                }
            }
            // with a graph: the same values, and the gradients of two separate linears
            Tensor[] together = F.linears(x, w, b);
            F.add(F.sum(together[0]), F.sum(F.mul(together[1], together[1]))).backward();
            float[] dx = x.grad().toArray(), dw0 = w[0].grad().toArray(), dw1 = w[1].grad().toArray(), db0 = b[0].grad().toArray();
            x.zeroGrad();
            w[0].zeroGrad();
            w[1].zeroGrad();
            b[0].zeroGrad();
            Tensor y0 = F.linear(x, w[0], b[0]), y1 = F.linear(x, w[1], null);
            assertThat(java.util.Arrays.equals(together[0].toArray(), y0.toArray())).isTrue();
            F.add(F.sum(y0), F.sum(F.mul(y1, y1))).backward();
            assertThat(dx).containsExactly(x.grad().toArray());
            assertThat(dw0).containsExactly(w[0].grad().toArray());
            assertThat(dw1).containsExactly(w[1].grad().toArray());
            assertThat(db0).containsExactly(b[0].grad().toArray());
            assertThat(dx).as("a gradient reached x").isNotEqualTo(new float[dx.length]);
        }
    }

    @Test
    void linearsNameAWrongWeightShape() {
        Tensor x = Tensor.zeros(1, 1, 24);
        try (var s = Autograd.noGrad()) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> F.linears(x, new Tensor[] {Tensor.zeros(16, 24), Tensor.zeros(8, 23)}, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("weight [8, 23]");
        }
    }
}
