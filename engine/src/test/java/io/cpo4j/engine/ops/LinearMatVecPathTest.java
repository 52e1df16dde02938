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
}
