package io.cpo4j.engine.kernels;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;

import static io.cpo4j.engine.kernels.Twins.assertTwins;
import static io.cpo4j.engine.kernels.Twins.randn;
import static io.cpo4j.engine.kernels.Twins.uniform;
import static org.assertj.core.api.Assertions.assertThat;

/** The Llama kernels (RMSNorm, rotary embedding, SwiGLU) against their scalar twins, over sizes that exercise the scalar tails. */
class LlamaKernelTwinTest {

    @BeforeAll
    static void vectorPathIsOn() {
        assertThat(Simd.ENABLED).as("tests must run with --add-modules jdk.incubator.vector").isTrue();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 17, 33, 1000})
    void rmsNorm(int n) {
        float[] x = randn(60, n), w = randn(61, n), dout = randn(62, n);
        float[] v = new float[n], s = new float[n], rv = new float[1], rs = new float[1];
        RmsNormKernel.Vec.forwardRow(x, 0, w, 0, v, 0, rv, 0, n, 1e-6f);
        RmsNormKernel.forwardRowScalar(x, 0, w, 0, s, 0, rs, 0, n, 1e-6f);
        assertTwins("rmsNorm forward", v, s);
        assertTwins("rmsNorm rstd", rv, rs);
        float[] dxv = randn(63, n), dxs = dxv.clone();
        RmsNormKernel.Vec.backwardRow(dout, 0, x, 0, w, 0, rs[0], dxv, 0, n);
        RmsNormKernel.backwardRowScalar(dout, 0, x, 0, w, 0, rs[0], dxs, 0, n);
        assertTwins("rmsNorm backward", dxv, dxs);
        float[] dwv = randn(64, n), dws = dwv.clone();
        RmsNormKernel.Vec.paramRow(dout, 0, x, 0, rs[0], dwv, 0, n);
        RmsNormKernel.paramRowScalar(dout, 0, x, 0, rs[0], dws, 0, n);
        assertTwins("rmsNorm dw", dwv, dws);
    }

    @Test
    void rmsNormBackwardSumsWeightGradientsOverAllRowsOnTwoThreads() {
        // 70 rows: three partial-sum blocks, the last one short; 2 threads split the blocks.
        int rows = 70, cols = 37;
        float[] x = randn(65, rows * cols), w = randn(66, cols), dout = randn(67, rows * cols);
        float[] out = new float[rows * cols], rstd = new float[rows];
        RmsNormKernel.forward(x, 0, w, 0, out, 0, rstd, rows, cols, 1e-6f);
        float[] dx = randn(68, rows * cols), dw = randn(69, cols), dxs = dx.clone(), dws = dw.clone();
        int threads = Parallel.threads();
        try {
            Parallel.setThreads(2);
            RmsNormKernel.backward(dout, 0, x, 0, w, 0, rstd, dx, 0, dw, 0, rows, cols);
        } finally {
            Parallel.setThreads(threads);
        }
        for (int r = 0; r < rows; r++) {
            RmsNormKernel.backwardRowScalar(dout, r * cols, x, r * cols, w, 0, rstd[r], dxs, r * cols, cols);
            RmsNormKernel.paramRowScalar(dout, r * cols, x, r * cols, rstd[r], dws, 0, cols);
        }
        assertTwins("rmsNorm dx over rows", dx, dxs);
        assertTwins("rmsNorm dw over rows", dw, dws);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 6, 34, 64, 130})
    void rotaryForwardAndBackward(int headDim) {
        int heads = 3, width = heads * headDim, half = headDim / 2, positions = 9;
        float[] x = randn(70, 5 + width), cos = uniform(71, positions * half, -1f, 1f), sin = uniform(72, positions * half, -1f, 1f);
        for (int p : new int[] {0, 4, 8}) {
            float[] v = new float[width + 2], s = new float[width + 2];
            RotaryKernel.Vec.rotateRow(x, 5, v, 2, heads, headDim, cos, sin, p);
            RotaryKernel.rotateRowScalar(x, 5, s, 2, heads, headDim, cos, sin, p);
            assertTwins("rotary D" + headDim + " at " + p, v, s);
            float[] inPlace = Arrays.copyOfRange(x, 5, 5 + width);
            RotaryKernel.rotateRow(inPlace, 0, inPlace, 0, heads, headDim, cos, sin, p);
            assertTwins("rotary in place D" + headDim + " at " + p, inPlace, Arrays.copyOfRange(s, 2, 2 + width));
            float[] gv = randn(73, width + 1), gs = gv.clone();
            RotaryKernel.Vec.rotateBackRow(x, 5, gv, 1, heads, headDim, cos, sin, p);
            RotaryKernel.rotateBackRowScalar(x, 5, gs, 1, heads, headDim, cos, sin, p);
            assertTwins("rotary backward D" + headDim + " at " + p, gv, gs);
        }
    }

    @Test
    void rotaryRowsReadTheirOwnPositionsAndRowStrides() {
        // rows of a fused (q | k) buffer: rotate the k part of each row, each row at its own position
        int rows = 4, heads = 2, d = 8, half = d / 2, stride = 3 * heads * d;
        float[] buf = randn(74, rows * stride), cos = uniform(75, 10 * half, -1f, 1f), sin = uniform(76, 10 * half, -1f, 1f);
        int[] positions = {9, 0, 3, 3};
        float[] out = new float[rows * heads * d];
        RotaryKernel.forward(buf, heads * d, stride, out, 0, heads * d, rows, heads, d, cos, sin, positions);
        for (int r = 0; r < rows; r++) {
            float[] expected = new float[heads * d];
            RotaryKernel.rotateRowScalar(buf, r * stride + heads * d, expected, 0, heads, d, cos, sin, positions[r]);
            assertTwins("row " + r, Arrays.copyOfRange(out, r * heads * d, (r + 1) * heads * d), expected);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 17, 33, 1000})
    void swiglu(int n) {
        float[] g = uniform(77, n, -20f, 20f), u = randn(78, n), dout = randn(79, n);
        float[] v = new float[n], s = new float[n];
        SwiGluKernel.Vec.forward(g, 0, u, 0, v, 0, n);
        SwiGluKernel.forwardScalar(g, 0, u, 0, s, 0, n);
        assertTwins("swiglu", v, s);
        float[] dgv = randn(80, n), dgs = dgv.clone(), duv = randn(81, n), dus = duv.clone();
        SwiGluKernel.Vec.backward(g, 0, u, 0, dout, 0, dgv, 0, duv, 0, n);
        SwiGluKernel.backwardScalar(g, 0, u, 0, dout, 0, dgs, 0, dus, 0, n);
        assertTwins("swiglu d gate", dgv, dgs);
        assertTwins("swiglu d up", duv, dus);
        float[] only = randn(82, n), onlyS = only.clone();
        SwiGluKernel.Vec.backward(g, 0, u, 0, dout, 0, null, 0, only, 0, n);
        SwiGluKernel.backwardScalar(g, 0, u, 0, dout, 0, null, 0, onlyS, 0, n);
        assertTwins("swiglu d up alone", only, onlyS);
    }
}
