package io.cpo4j.engine.kernels;

import org.junit.jupiter.api.Test;

import static io.cpo4j.engine.kernels.Twins.assertTwins;
import static io.cpo4j.engine.kernels.Twins.randn;

/** The decoding kernels against their scalar twins. */
class DecodeKernelTwinTest {

    @Test
    void matVecForOneToNineRowsAndOddWidths() {
        int[][] shapes = {{1, 17, 33}, {3, 64, 5}, {4, 1000, 7}, {8, 96, 130}, {9, 33, 1}};
        for (int[] s : shapes) {
            int rows = s[0], in = s[1], out = s[2];
            float[] x = randn(1, rows * in), w = randn(2, out * in), b = randn(3, out);
            float[] v = new float[rows * out], sc = new float[rows * out];
            MatVecKernel.Vec.multiply(x, 0, rows, in, w, 0, 0, out, out, b, 0, v, 0);
            MatVecKernel.multiplyScalar(x, 0, rows, in, w, 0, 0, out, out, b, 0, sc, 0);
            assertTwins("matVec " + rows + "x" + in + "x" + out, v, sc);
            float[] noBias = new float[rows * out], noBiasS = new float[rows * out];
            MatVecKernel.Vec.multiply(x, 0, rows, in, w, 0, 0, out, out, null, 0, noBias, 0);
            MatVecKernel.multiplyScalar(x, 0, rows, in, w, 0, 0, out, out, null, 0, noBiasS, 0);
            assertTwins("matVec without bias", noBias, noBiasS);
        }
    }

    @Test
    void decodeAttentionOverCachesOfManyLengths() {
        int stride = 3 * 40, d = 20;
        float[] k = randn(4, 50 * stride), v = randn(5, 50 * stride), q = randn(6, d);
        for (int len : new int[] {1, 2, 17, 50}) {
            for (int headOff : new int[] {0, 20}) {
                float[] ov = new float[d], os = new float[d];
                DecodeAttentionKernel.Vec.attend(q, 0, k, v, 7, stride, headOff, len, d, ov, 0, new float[len]);
                DecodeAttentionKernel.attendScalar(q, 0, k, v, 7, stride, headOff, len, d, os, 0, new float[len]);
                assertTwins("decode attention len " + len, ov, os);
            }
        }
    }
}
