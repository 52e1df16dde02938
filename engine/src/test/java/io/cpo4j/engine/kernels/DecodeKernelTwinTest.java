package io.cpo4j.engine.kernels;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

import static io.cpo4j.engine.kernels.Twins.assertTwins;
import static org.assertj.core.api.Assertions.assertThat;
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

    /** Batch 1 reads four weight rows at a time: each output must be the same bits as the one-row path's dot product. */
    @Test
    void matVecOneRowGivesTheBitsOfOneDotPerOutput() {
        for (int[] s : new int[][] {{17, 33}, {64, 7}, {1000, 9}, {576, 192}}) {
            int in = s[0], out = s[1];
            float[] x = randn(11, in), w = randn(12, out * in), b = randn(13, out);
            float[] four = new float[out], one = new float[out], sc = new float[out];
            MatVecKernel.Vec.multiplyOneRow(x, 0, in, w, 0, 0, out, b, 0, four, 0);
            MatVecKernel.Vec.multiply(x, 0, 1, in, w, 0, 0, out, out, b, 0, one, 0);
            assertThat(four).as("in %d out %d", in, out).containsExactly(one);
            MatVecKernel.multiplyScalar(x, 0, 1, in, w, 0, 0, out, out, b, 0, sc, 0);
            assertTwins("matVec one row " + in + "x" + out, four, sc);
        }
    }

    /** Outputs split over threads: the same bits on 1 and 2 threads, and the scalar twin's values. */
    @Test
    void matVecIsBitIdenticalOnOneAndTwoThreads() {
        int rows = 2, in = 64, out = 2051;                                       // 2 threads: two ranges of 1025 and 1026 rows
        float[] x = randn(7, rows * in), w = randn(8, out * in), b = randn(9, out);
        float[] one = new float[rows * out], two = new float[rows * out], sc = new float[rows * out];
        int threads = Parallel.threads();
        try {
            Parallel.setThreads(1);
            MatVecKernel.multiply(x, 0, rows, in, w, 0, out, b, 0, one, 0);
            Parallel.setThreads(2);
            MatVecKernel.multiply(x, 0, rows, in, w, 0, out, b, 0, two, 0);
        } finally {
            Parallel.setThreads(threads);
        }
        assertThat(two).containsExactly(one);
        MatVecKernel.multiplyScalar(x, 0, rows, in, w, 0, 0, out, out, b, 0, sc, 0);
        assertTwins("matVec on the pool", one, sc);
    }

    /** q, k and v (or gate and up) in one region: each output the bits of its own multiply, on 1 and 2 threads. */
    @Test
    void multiplyAllGivesEachMatrixTheBitsOfItsOwnMultiply() {
        int in = 96;
        int[] out = {100, 36, 36};
        int threads = Parallel.threads();
        try {
            for (int rows : new int[] {1, 3}) {
                float[] x = randn(21, rows * in);
                float[][] w = new float[3][], b = {randn(25, out[0]), null, randn(26, out[2])}, y = new float[3][];
                for (int m = 0; m < 3; m++) {
                    w[m] = randn(22 + m, 5 + out[m] * in);                                // weights from offset 5
                    y[m] = new float[rows * out[m]];
                }
                for (int t = 1; t <= 2; t++) {
                    Parallel.setThreads(t);
                    MatVecKernel.multiplyAll(x, 0, rows, in, w, new int[] {5, 5, 5}, out, b, new int[3], y);
                    for (int m = 0; m < 3; m++) {
                        float[] alone = new float[rows * out[m]];
                        MatVecKernel.multiply(x, 0, rows, in, w[m], 5, out[m], b[m], 0, alone, 0);
                        assertThat(Arrays.equals(y[m], alone)).as("matrix %d, %d rows, %d threads", m, rows, t).isTrue();
                    }
                }
            }
        } finally {
            Parallel.setThreads(threads);
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
