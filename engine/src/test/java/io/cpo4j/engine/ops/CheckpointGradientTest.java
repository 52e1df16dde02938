package io.cpo4j.engine.ops;

import io.cpo4j.engine.Tensor;
import org.junit.jupiter.api.Test;

import static io.cpo4j.engine.ops.GradCheck.check;
import static io.cpo4j.engine.ops.GradCheck.inputs;

/** F.checkpoint's backward (a recomputation) against finite differences, like every op's. */
class CheckpointGradientTest {

    private static int[] s(int... shape) {
        return shape;
    }

    @Test
    void aResidualBlockThroughCheckpointMatchesFiniteDifferences() {
        // x (2, 3, 4) → x + linear(gelu(linear(layerNorm(x), w1, b1)), w2, b2): x is read twice inside
        Tensor[] xs = inputs(41, s(2, 3, 4), s(4), s(4), s(6, 4), s(6), s(4, 6), s(4));
        check("checkpoint(residual block)", xs,
                x -> F.checkpoint(in -> F.add(in, F.linear(F.gelu(F.linear(F.layerNorm(in, x[1], x[2], 1e-5f), x[3], x[4])), x[5], x[6])), x[0]),
                r -> Ref.binary(r[0], Ref.linear(Ref.gelu(Ref.linear(Ref.layerNorm(r[0], r[1], r[2], 1e-5), r[3], r[4])), r[5], r[6]), Double::sum));
    }

    @Test
    void anInputAlsoReadOutsideTheCheckpointGetsBothShares() {
        // y = x·x (inside) + 3x (outside)
        check("checkpoint(x·x) + 3x", inputs(42, s(3, 5)),
                x -> F.add(F.checkpoint(in -> F.mul(in, in), x[0]), F.scale(x[0], 3f)),
                r -> Ref.binary(Ref.binary(r[0], r[0], (a, b) -> a * b), r[0], (a, b) -> a + 3 * b));
    }
}
