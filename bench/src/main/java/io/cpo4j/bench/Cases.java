package io.cpo4j.bench;

import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * How each benchmark's time per call becomes a rate (GFLOPS or Gelem/s) and which case of the
 * peer scripts it is compared with. One line per benchmark method.
 */
final class Cases {

    /** A benchmark method's unit, work per call (flops or elements) and the peer's name for a shape (null: none). */
    record Case(String title, String unit, ToDoubleFunction<String> work, java.util.function.Function<String, String> peerCase) {
        double rate(String shape, double micros) {
            return work.applyAsDouble(shape) / micros / 1e3;
        }
    }

    private static final Map<String, Case> CASES = Map.of(
            "MatmulBenchmark.matmul", new Case("Matmul, float32 C = A·B", "GFLOPS", MatmulBenchmark::flops, Cases::matmulPeerCase),
            "SoftmaxBenchmark.softmax", new Case("Softmax over rows, forward", "Gelem/s", SoftmaxBenchmark::elements, Cases::softmaxPeerCase),
            "LayerNormBenchmark.forward", new Case("LayerNorm forward", "Gelem/s", LayerNormBenchmark::elements, s -> null),
            "LayerNormBenchmark.backward", new Case("LayerNorm backward (dx, dw, db)", "Gelem/s", LayerNormBenchmark::elements, s -> null),
            "AttentionBenchmark.forward", new Case("Causal self-attention forward", "GFLOPS", AttentionBenchmark::forwardFlops, s -> null),
            "AttentionBenchmark.forwardBackward", new Case("Causal self-attention forward + backward", "GFLOPS", AttentionBenchmark::forwardBackwardFlops, s -> null));

    private Cases() {}

    static Case of(String benchmark) {
        Case c = CASES.get(benchmark);
        if (c == null) throw new IllegalStateException("no unit/work known for benchmark " + benchmark + "; add it to Cases");
        return c;
    }

    /** {@code 1x256x256x256} → {@code square_256}, as numpy_gemm_softmax.py names its cases. */
    static String matmulPeerCase(String shape) {
        int[] s = Shapes.parse(shape, 4);
        int batch = s[0], m = s[1], k = s[2], n = s[3];
        if (batch == 1 && m == k && k == n) return "square_" + m;
        if (batch == 1) return "mlp_up_(" + m + "x" + k + ")@(" + k + "x" + n + ")";
        return "attn_scores_" + batch + "x(" + m + "x" + k + ")@(" + k + "x" + n + ")";
    }

    static String softmaxPeerCase(String shape) {
        int[] s = Shapes.parse(shape, 2);
        String name = "softmax_" + s[0] + "x" + s[1];
        return s[0] == 3072 && s[1] == 256 ? name + "(12*256 rows)" : name;
    }
}
