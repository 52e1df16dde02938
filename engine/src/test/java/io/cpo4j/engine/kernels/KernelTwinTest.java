package io.cpo4j.engine.kernels;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.cpo4j.engine.kernels.Twins.assertTwins;
import static io.cpo4j.engine.kernels.Twins.randn;
import static io.cpo4j.engine.kernels.Twins.uniform;
import static org.assertj.core.api.Assertions.assertThat;

/** Every Vector API kernel against its scalar twin, over sizes that exercise the scalar tails. */
class KernelTwinTest {

    @BeforeAll
    static void vectorPathIsOn() {
        assertThat(Simd.ENABLED).as("tests must run with --add-modules jdk.incubator.vector").isTrue();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 17, 33, 1000, 4099})
    void exp(int n) {
        float[] x = uniform(n, n, -87f, 88f);
        float[] v = new float[n], s = new float[n];
        Exp.Vec.exp(x, 0, v, 0, n);
        Exp.expScalar(x, 0, s, 0, n);
        assertTwins("exp", v, s);
    }

    @Test
    void expIsWithin2e7OfMathExpOverItsRange() {
        int n = 1_000_001;
        float[] x = new float[n], v = new float[n];
        for (int i = 0; i < n; i++) x[i] = -87.3f + (87.3f + 88.3f) * i / (n - 1);
        Exp.Vec.exp(x, 0, v, 0, n);
        double worst = 0;
        for (int i = 0; i < n; i++) {
            double e = Math.exp(x[i]);
            worst = Math.max(worst, Math.abs(v[i] - e) / e);
            worst = Math.max(worst, Math.abs(Exp.exp(x[i]) - e) / e);
        }
        assertThat(worst).isLessThanOrEqualTo(2e-7);
        // the polynomial's own worst over every float in range is 7.71e-8: one with too few terms (degree 5: 1.77e-7) fails here
        assertThat(worst).isLessThanOrEqualTo(1e-7);
        assertThat(Exp.exp(-100f)).isZero();
        assertThat(Exp.exp(Float.NEGATIVE_INFINITY)).isZero();
    }

    @Test
    void expShiftedEqualsExpBitForBitUpToTheClamp() {
        // every float from below the underflow to HIGH, −∞ and NaN: the same bits as the clamped exp
        int lanes = FloatVector.SPECIES_PREFERRED.length(), n = 200_000 / lanes * lanes;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = -100f + (Exp.HIGH + 100f) * i / (n - 1);
        x[1] = Float.NEGATIVE_INFINITY;
        x[2] = Float.NaN;
        x[n - 1] = Exp.HIGH;
        float[] shifted = new float[n], clamped = new float[n];
        for (int i = 0; i < n; i += lanes) {
            Exp.Vec.expShifted(FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, x, i)).intoArray(shifted, i);
        }
        Exp.Vec.exp(x, 0, clamped, 0, n);
        for (int i = 0; i < n; i++) {
            assertThat(Float.floatToRawIntBits(shifted[i])).as("x = %s", x[i]).isEqualTo(Float.floatToRawIntBits(clamped[i]));
            assertThat(Float.floatToRawIntBits(shifted[i])).as("scalar twin at x = %s", x[i]).isEqualTo(Float.floatToRawIntBits(Exp.exp(x[i])));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 17, 33, 1000})
    void elementwise(int n) {
        float[] a = randn(1, n), b = uniform(2, n, 0.5f, 2f), y0 = randn(3, n);
        for (Elementwise.Op op : Elementwise.Op.values()) {
            float[] v = new float[n], s = new float[n];
            Elementwise.Vec.binary(op, a, 0, b, 0, v, 0, n);
            Elementwise.binaryScalar(op, a, 0, b, 0, s, 0, n);
            assertTwins(op.name(), v, s);
        }
        float[] v = y0.clone(), s = y0.clone();
        Elementwise.Vec.axpy(-1.7f, a, 0, v, 0, n);
        Elementwise.axpyScalar(-1.7f, a, 0, s, 0, n);
        assertTwins("axpy", v, s);
        v = new float[n];
        s = new float[n];
        Elementwise.Vec.scale(0.3f, a, 0, v, 0, n);
        Elementwise.scaleScalar(0.3f, a, 0, s, 0, n);
        assertTwins("scale", v, s);
        v = y0.clone();
        s = y0.clone();
        Elementwise.Vec.mulAdd(a, 0, b, 0, v, 0, n);
        Elementwise.mulAddScalar(a, 0, b, 0, s, 0, n);
        assertTwins("mulAdd", v, s);
        float[] va = y0.clone(), vb = y0.clone(), sa = y0.clone(), sb = y0.clone();
        Elementwise.Vec.divBackward(randn(4, n), 0, a, 0, b, 0, va, 0, vb, 0, n);
        Elementwise.divBackwardScalar(randn(4, n), 0, a, 0, b, 0, sa, 0, sb, 0, n);
        assertTwins("divBackward a", va, sa);
        assertTwins("divBackward b", vb, sb);
        assertThat(Elementwise.Vec.sumOfSquares(a, 0, n)).isCloseTo(Elementwise.sumOfSquaresScalar(a, 0, n),
                org.assertj.core.data.Percentage.withPercentage(1e-3));
    }

    @Test
    void gemmAllTransposeCombinationsAndOddSizes() {
        int[][] shapes = {{1, 1, 1}, {3, 17, 33}, {17, 33, 3}, {33, 1000, 17}, {64, 64, 64}, {5, 96, 130}, {2, 7, 1000}};
        for (int[] sh : shapes) {
            int m = sh[0], n = sh[1], k = sh[2];
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
                float[] a = randn(5, m * k), b = randn(6, k * n), c0 = randn(7, m * n);
                int lda = ta ? m : k, ldb = tb ? k : n;
                for (boolean acc : new boolean[] {false, true}) {
                    float[] v = c0.clone(), s = c0.clone();
                    Gemm.gemm(ta, tb, m, n, k, a, 0, lda, b, 0, ldb, v, 0, n, acc);
                    Gemm.gemmScalar(ta, tb, m, n, k, a, 0, lda, b, 0, ldb, s, 0, n, acc);
                    assertTwins("gemm " + m + "x" + n + "x" + k + " transA=" + ta + " transB=" + tb + " acc=" + acc, v, s);
                }
            }
        }
    }

    @Test
    void gemmBatchedWithSharedOperandAndOffsets() {
        int batch = 3, m = 5, n = 19, k = 7;
        float[] a = randn(8, 2 + batch * m * k), b = randn(9, 1 + k * n);
        float[] v = new float[batch * m * n + 4], s = new float[batch * m * n + 4];
        Gemm.gemmBatched(batch, false, false, m, n, k, a, 2, k, m * k, b, 1, n, 0, v, 4, n, m * n, false);
        for (int i = 0; i < batch; i++) Gemm.gemmScalar(false, false, m, n, k, a, 2 + i * m * k, k, b, 1, n, s, 4 + i * m * n, n, false);
        assertTwins("gemmBatched", v, s);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 17, 33, 1000})
    void softmaxFamily(int n) {
        float[] x = randn(10, n), dy = randn(11, n), d0 = randn(12, n);
        float[] v = new float[n], s = new float[n];
        SoftmaxKernel.Vec.softmaxRow(x, 0, v, 0, n);
        SoftmaxKernel.softmaxRowScalar(x, 0, s, 0, n);
        assertTwins("softmax", v, s);
        assertThat(SoftmaxKernel.Vec.logSumExp(x, 0, n)).isCloseTo(SoftmaxKernel.logSumExpScalar(x, 0, n),
                org.assertj.core.data.Offset.offset(1e-5f * Math.max(1f, Math.abs(SoftmaxKernel.logSumExpScalar(x, 0, n)))));
        float[] gv = d0.clone(), gs = d0.clone();
        SoftmaxKernel.Vec.backwardRow(s, 0, dy, 0, gv, 0, n);
        SoftmaxKernel.backwardRowScalar(s, 0, dy, 0, gs, 0, n);
        assertTwins("softmax backward", gv, gs);
        float[] logY = new float[n];
        SoftmaxKernel.logForward(x, 0, logY, 0, 1, n);
        gv = d0.clone();
        gs = d0.clone();
        SoftmaxKernel.Vec.logBackwardRow(logY, 0, dy, 0, gv, 0, n);
        SoftmaxKernel.logBackwardRowScalar(logY, 0, dy, 0, gs, 0, n);
        assertTwins("logSoftmax backward", gv, gs);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 17, 33, 1000})
    void layerNorm(int n) {
        float[] x = randn(13, n), w = randn(14, n), b = randn(15, n), dout = randn(16, n);
        float[] v = new float[n], s = new float[n], mv = new float[1], rv = new float[1], ms = new float[1], rs = new float[1];
        LayerNormKernel.Vec.forwardRow(x, 0, w, 0, b, 0, v, 0, mv, rv, 0, n, 1e-5f);
        LayerNormKernel.forwardRowScalar(x, 0, w, 0, b, 0, s, 0, ms, rs, 0, n, 1e-5f);
        assertTwins("layerNorm forward", v, s);
        assertTwins("layerNorm mean/rstd", new float[] {mv[0], rv[0]}, new float[] {ms[0], rs[0]});
        float[] dxv = new float[n], dxs = new float[n];
        LayerNormKernel.Vec.backwardRow(dout, 0, x, 0, w, 0, ms[0], rs[0], dxv, 0, n);
        LayerNormKernel.backwardRowScalar(dout, 0, x, 0, w, 0, ms[0], rs[0], dxs, 0, n);
        assertTwins("layerNorm backward", dxv, dxs);
        float[] dwv = new float[n], dbv = new float[n], dws = new float[n], dbs = new float[n];
        LayerNormKernel.Vec.paramRow(dout, 0, x, 0, ms[0], rs[0], dwv, 0, dbv, 0, n);
        LayerNormKernel.paramRowScalar(dout, 0, x, 0, ms[0], rs[0], dws, 0, dbs, 0, n);
        assertTwins("layerNorm dw", dwv, dws);
        assertTwins("layerNorm db", dbv, dbs);
    }

    @Test
    void layerNormBackwardSumsParameterGradientsOverAllRows() {
        // 70 rows: three partial-sum blocks, the last one short; 2 threads split the blocks.
        int rows = 70, cols = 37;
        float[] x = randn(40, rows * cols), w = randn(41, cols), b = randn(42, cols), dout = randn(43, rows * cols);
        float[] out = new float[rows * cols], mean = new float[rows], rstd = new float[rows];
        LayerNormKernel.forward(x, 0, w, 0, b, 0, out, 0, mean, rstd, rows, cols, 1e-5f);
        float[] dx = randn(44, rows * cols), dw = randn(45, cols), db = randn(46, cols);
        float[] dxs = dx.clone(), dws = dw.clone(), dbs = db.clone();
        int threads = Parallel.threads();
        try {
            Parallel.setThreads(2);
            LayerNormKernel.backward(dout, 0, x, 0, w, 0, mean, rstd, dx, 0, dw, 0, db, 0, rows, cols);
        } finally {
            Parallel.setThreads(threads);
        }
        for (int r = 0; r < rows; r++) {
            LayerNormKernel.backwardRowScalar(dout, r * cols, x, r * cols, w, 0, mean[r], rstd[r], dxs, r * cols, cols);
            LayerNormKernel.paramRowScalar(dout, r * cols, x, r * cols, mean[r], rstd[r], dws, 0, dbs, 0, cols);
        }
        assertTwins("layerNorm dx over rows", dx, dxs);
        assertTwins("layerNorm dw over rows", dw, dws);
        assertTwins("layerNorm db over rows", db, dbs);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 17, 33, 1000})
    void gelu(int n) {
        float[] x = uniform(17, n, -8f, 8f), dout = randn(18, n);
        float[] v = new float[n], s = new float[n];
        GeluKernel.Vec.forward(x, 0, v, 0, n);
        GeluKernel.forwardScalar(x, 0, s, 0, n);
        assertTwins("gelu", v, s);
        v = new float[n];
        s = new float[n];
        GeluKernel.Vec.backward(x, 0, dout, 0, v, 0, n);
        GeluKernel.backwardScalar(x, 0, dout, 0, s, 0, n);
        assertTwins("gelu backward", v, s);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 17, 33, 1000})
    void crossEntropyBackwardRow(int n) {
        float[] x = randn(19, n), d0 = randn(20, n);
        float lse = SoftmaxKernel.logSumExpScalar(x, 0, n);
        float[] v = d0.clone(), s = d0.clone();
        CrossEntropyKernel.Vec.backwardRow(x, 0, lse, 0.37f, v, 0, n);
        CrossEntropyKernel.backwardRowScalar(x, 0, lse, 0.37f, s, 0, n);
        assertTwins("crossEntropy backward", v, s);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 17, 33, 1000})
    void adamW(int n) {
        float[] p = randn(23, n), g = randn(24, n), m = randn(25, n), v = uniform(26, n, 0f, 1f);
        float[] pv = p.clone(), mv = m.clone(), vv = v.clone(), ps = p.clone(), ms = m.clone(), vs = v.clone();
        AdamWKernel.Vec.update(pv, g, mv, vv, 0, n, 0.37f, 1f - 1e-4f, 0.9f, 0.95f, 1e-8f, 1e-3f / 0.1f, 0.3f);
        AdamWKernel.updateScalar(ps, g, ms, vs, 0, n, 0.37f, 1f - 1e-4f, 0.9f, 0.95f, 1e-8f, 1e-3f / 0.1f, 0.3f);
        assertTwins("adamW p", pv, ps);
        assertTwins("adamW m", mv, ms);
        assertTwins("adamW v", vv, vs);
    }
}
