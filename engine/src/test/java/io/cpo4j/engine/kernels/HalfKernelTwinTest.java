package io.cpo4j.engine.kernels;

import org.junit.jupiter.api.Test;

import static io.cpo4j.engine.kernels.Twins.assertTwins;
import static io.cpo4j.engine.kernels.Twins.randn;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The half-precision weight kernels: each vector path against its scalar twin, and — the stronger
 * check — against the float32 kernel on the widened weights, which it must equal bit for bit.
 */
class HalfKernelTwinTest {

    private static short[] narrow(float[] w, boolean bf16) {
        short[] h = new short[w.length];
        HalfFloats.narrow(w, 0, h, 0, w.length, bf16);
        return h;
    }

    private static float[] widen(short[] h, boolean bf16) {
        float[] w = new float[h.length];
        HalfFloats.widenScalar(h, 0, w, 0, h.length, bf16);
        return w;
    }

    @Test
    void matVecEqualsTheFloatKernelOnWidenedWeightsAndItsScalarTwin() {
        int[][] shapes = {{1, 17, 33}, {1, 576, 37}, {3, 64, 5}, {4, 1000, 7}, {5, 96, 130}, {8, 96, 130}, {9, 33, 1}};
        for (boolean bf16 : new boolean[] {true, false}) {
            for (int[] s : shapes) {
                int rows = s[0], in = s[1], out = s[2];
                float[] x = randn(1, rows * in), b = randn(3, out);
                short[] h = narrow(randn(2, out * in), bf16);
                float[] wide = widen(h, bf16);
                for (float[] bias : new float[][] {b, null}) {
                    String what = (bf16 ? "bf16 " : "f16 ") + rows + "x" + in + "x" + out + (bias == null ? "" : " + bias");
                    float[] half = new float[rows * out], flt = new float[rows * out], sc = new float[rows * out], fsc = new float[rows * out];
                    if (rows == 1) {
                        HalfMatVecKernel.Vec.multiplyOneRow(x, 0, in, h, 0, bf16, 0, out, bias, 0, half, 0);
                        MatVecKernel.Vec.multiplyOneRow(x, 0, in, wide, 0, 0, out, bias, 0, flt, 0);
                    } else {
                        HalfMatVecKernel.Vec.multiply(x, 0, rows, in, h, 0, bf16, 0, out, out, bias, 0, half, 0);
                        MatVecKernel.Vec.multiply(x, 0, rows, in, wide, 0, 0, out, out, bias, 0, flt, 0);
                    }
                    assertThat(half).as(what + ": vector, half vs float32 on the widened weights").containsExactly(flt);
                    HalfMatVecKernel.multiplyScalar(x, 0, rows, in, h, 0, bf16, 0, out, out, bias, 0, sc, 0);
                    MatVecKernel.multiplyScalar(x, 0, rows, in, wide, 0, 0, out, out, bias, 0, fsc, 0);
                    assertThat(sc).as(what + ": scalar, half vs float32").containsExactly(fsc);
                    assertTwins(what + ": vector vs scalar", half, sc);
                }
            }
        }
    }

    @Test
    void matVecAtOffsetsAndAllMatricesInOneRegion() {
        for (boolean bf16 : new boolean[] {true, false}) {
            int rows = 2, in = 40;
            int[] out = {24, 8, 8};
            float[] x = randn(4, 3 + rows * in);
            short[][] w = new short[3][];
            int[] wOff = {0, 5, 11};
            float[][] bias = {randn(5, out[0]), null, randn(6, out[2] + 2)}, y = new float[3][];
            int[] bOff = {0, 0, 2};
            for (int m = 0; m < 3; m++) {
                w[m] = narrow(randn(7 + m, wOff[m] + out[m] * in), bf16);
                y[m] = new float[rows * out[m]];
            }
            HalfMatVecKernel.multiplyAll(x, 3, rows, in, w, wOff, bf16, out, bias, bOff, y);
            for (int m = 0; m < 3; m++) {
                float[] one = new float[rows * out[m]], flt = new float[rows * out[m]];
                HalfMatVecKernel.multiply(x, 3, rows, in, w[m], wOff[m], bf16, out[m], bias[m], bOff[m], one, 0);
                MatVecKernel.multiply(x, 3, rows, in, widen(w[m], bf16), wOff[m], out[m], bias[m], bOff[m], flt, 0);
                assertThat(y[m]).as("matrix %d, %s", m, bf16).containsExactly(one);
                assertThat(one).as("matrix %d against float32, %s", m, bf16).containsExactly(flt);
            }
        }
    }

    /** Packing from half precision puts exactly the widened values where packing from float32 puts them. */
    @Test
    void packingWidensIntoTheFloatLayout() {
        int nr = Gemm.Vec.NR;
        for (boolean bf16 : new boolean[] {true, false}) {
            for (boolean transB : new boolean[] {true, false}) {
                int rowsB = 70, colsB = 9 * nr + 5, ldb = colsB + 3;                    // b stored (rowsB, ldb); depths span three bands
                short[] h = narrow(randn(8, rowsB * ldb), bf16);
                float[] wide = widen(h, bf16);
                int n = transB ? rowsB : colsB, k = transB ? colsB : rowsB;
                int j0 = 1, j1 = n, p0 = 2, ks = k - 5, panels = (j1 - j0 + nr - 1) / nr;
                float[] fromHalf = new float[panels * nr * ks], fromFloat = new float[panels * nr * ks];
                java.util.Arrays.fill(fromHalf, Float.NaN);
                GemmPacking.packBHalf(transB, h, 3, ldb, bf16, j0, j1, p0, ks, nr, fromHalf, 0, panels);
                GemmPacking.packB(transB, wide, 3, ldb, j0, j1, p0, ks, nr, fromFloat, 0, panels);
                assertThat(fromHalf).as("transB %s, %s", transB, bf16).containsExactly(fromFloat);
            }
        }
    }

    @Test
    void gemmWithHalfBEqualsFloatGemmOnWidenedB() {
        // (m, n, k): single panel, partial panels, deeper than KC, wider than one group of B panels, wider than one slab
        int[][] shapes = {{1, 1, 1}, {7, 5, 3}, {13, 37, 300}, {40, 96, 64}, {14, 1100, 260}, {3, 4200, 600}};
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2];
            for (boolean bf16 : new boolean[] {true, false}) {
                for (boolean transB : new boolean[] {true, false}) {
                    float[] a = randn(9, m * k), c0 = randn(10, m * n);
                    short[] h = narrow(randn(11, n * k), bf16);
                    float[] wide = widen(h, bf16);
                    int ldb = transB ? k : n;
                    for (boolean accumulate : new boolean[] {false, true}) {
                        String what = m + "x" + n + "x" + k + (bf16 ? " bf16" : " f16") + (transB ? " transB" : "") + (accumulate ? " +=" : "");
                        float[] half = c0.clone(), flt = c0.clone(), sc = c0.clone(), fsc = c0.clone();
                        Gemm.gemmHalfB(false, transB, m, n, k, a, 0, k, h, 0, ldb, bf16, half, 0, n, accumulate);
                        Gemm.gemm(false, transB, m, n, k, a, 0, k, wide, 0, ldb, flt, 0, n, accumulate);
                        assertThat(half).as(what + ": half vs float32 on the widened B").containsExactly(flt);
                        Gemm.gemmHalfBScalar(false, transB, m, n, k, a, 0, k, h, 0, ldb, bf16, sc, 0, n, accumulate);
                        Gemm.gemmScalar(false, transB, m, n, k, a, 0, k, wide, 0, ldb, fsc, 0, n, accumulate);
                        assertThat(sc).as(what + ": scalar twins").containsExactly(fsc);
                        assertTwins(what + ": vector vs scalar", half, sc);
                    }
                }
            }
        }
    }
}
