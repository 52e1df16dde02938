package io.cpo4j.engine.kernels;

import io.cpo4j.engine.Rng;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Packing only moves values: every packed panel must equal its definition, value for value. */
class GemmPackingTest {

    /** The definition: panel q holds rows [q·mr, q·mr + mr) of op(A), depth p at p·mr + r; rows past the block are 0. */
    static float[] expectedA(boolean transA, float[] a, int aOff, int lda, int i0, int rows, int p0, int kc, int mr) {
        int panels = (rows + mr - 1) / mr;
        float[] out = new float[panels * mr * kc];
        for (int q = 0; q < panels; q++) {
            for (int p = 0; p < kc; p++) {
                for (int r = 0; r < mr; r++) {
                    int i = q * mr + r;
                    float v = i >= rows ? 0f : transA ? a[aOff + (p0 + p) * lda + i0 + i] : a[aOff + (i0 + i) * lda + p0 + p];
                    out[q * mr * kc + p * mr + r] = v;
                }
            }
        }
        return out;
    }

    @Test
    void packedRowsOfAEqualTheirDefinitionForEveryShape() {
        Rng rng = new Rng(11);
        int mr = Gemm.Vec.MR;
        int[][] shapes = {    // rows, kc, extra row stride, i0, p0
                {mr, 256, 0, 0, 0}, {mr, 3, 0, 0, 0}, {mr, 1, 5, 2, 1}, {2 * mr + 5, 37, 9, 3, 4},
                {5 * mr, 255, 1, 0, 7}, {mr - 1, 64, 0, 0, 0}, {240, 256, 768 - 256, 12, 256}, {7 * mr, 17, 2, 1, 0},
        };
        for (int[] s : shapes) {
            int rows = s[0], kc = s[1], i0 = s[3], p0 = s[4], lda = p0 + kc + s[2], aOff = 3;
            for (boolean transA : new boolean[] {false, true}) {
                int ldaT = transA ? i0 + rows + s[2] : lda;
                float[] a = new float[aOff + (transA ? (p0 + kc) * ldaT : (i0 + rows) * ldaT) + 1];
                for (int i = 0; i < a.length; i++) a[i] = rng.nextFloat() - 0.5f;
                int panels = (rows + mr - 1) / mr;
                float[] dst = new float[panels * mr * kc];
                Arrays.fill(dst, Float.NaN);
                GemmPacking.packA(transA, a, aOff, ldaT, i0, rows, p0, kc, mr, dst);
                assertThat(dst).as("transA %s rows %d kc %d lda %d", transA, rows, kc, ldaT)
                        .containsExactly(expectedA(transA, a, aOff, ldaT, i0, rows, p0, kc, mr));
            }
        }
    }

    @Test
    void registerTransposesMoveEveryValueToItsPanelPlace() {
        // runs on any machine: GemmTranspose uses 512-bit vectors, in software where they are not native
        Rng rng = new Rng(13);
        for (int kc : new int[] {16, 47, 512}) {
            int lda = kc + 3, src = 5;
            float[] a = new float[src + 32 * lda];
            for (int i = 0; i < a.length; i++) a[i] = rng.nextFloat() - 0.5f;
            float[] twelve = new float[2 + 12 * kc], thirtyTwo = new float[1 + 32 * kc];
            Arrays.fill(twelve, Float.NaN);
            Arrays.fill(thirtyTwo, Float.NaN);
            int done12 = GemmTranspose.rows12(a, src, lda, kc, twelve, 2);
            int done32 = GemmTranspose.rows32(a, src, lda, kc, thirtyTwo, 1);
            assertThat(done12).isEqualTo(done32).isEqualTo(kc / 16 * 16);
            // the definition: column p of row r at p·width + r; the columns past whole steps untouched
            float[] expected12 = new float[twelve.length], expected32 = new float[thirtyTwo.length];
            Arrays.fill(expected12, Float.NaN);
            Arrays.fill(expected32, Float.NaN);
            for (int p = 0; p < done12; p++) {
                for (int r = 0; r < 12; r++) expected12[2 + p * 12 + r] = a[src + r * lda + p];
                for (int r = 0; r < 32; r++) expected32[1 + p * 32 + r] = a[src + r * lda + p];
            }
            assertThat(twelve).as("12 rows, kc %d", kc).containsExactly(expected12);
            assertThat(thirtyTwo).as("32 rows, kc %d", kc).containsExactly(expected32);
        }
    }

    @Test
    void thisMachineTakesTheGatherPathWhereItIsFast() {
        assertThat(GemmPacking.Vec.GATHER).isEqualTo(GemmPacking.Vec.S.vectorBitSize() >= 256);
    }

    @Test
    void aRoundGathersWholeVectors() {
        int mr = Gemm.Vec.MR, g = GemmPacking.Vec.columnsPerRound(mr);
        assertThat(g * mr % GemmPacking.Vec.S.length()).isZero();
        int[] map = GemmPacking.Vec.indexMap(100, mr);
        assertThat(map).hasSize(g * mr);
        assertThat(map[0]).isZero();
        assertThat(map[1]).isEqualTo(100);                    // next row, same column
        assertThat(map[mr]).isEqualTo(1);                      // first row, next column
    }

    /** The definition: panel q holds columns [j0 + q·nr, …) of op(B) clipped to j1, depth p at p·nr + j; columns past j1 are 0. */
    static float[] expectedB(boolean transB, float[] b, int bOff, int ldb, int j0, int j1, int p0, int ks, int nr, int panels) {
        float[] out = new float[panels * nr * ks];
        for (int q = 0; q < panels; q++) {
            for (int p = 0; p < ks; p++) {
                for (int j = 0; j < nr; j++) {
                    int col = j0 + q * nr + j;
                    out[q * nr * ks + p * nr + j] = col >= j1 ? 0f : transB ? b[bOff + col * ldb + p0 + p] : b[bOff + (p0 + p) * ldb + col];
                }
            }
        }
        return out;
    }

    @Test
    void packedPanelsOfBEqualTheirDefinitionForEveryShape() {
        Rng rng = new Rng(12);
        int nr = Gemm.Vec.NR;
        int[][] shapes = {    // columns, ks, extra stride, j0, p0
                {nr, 256, 0, 0, 0}, {nr, 1, 3, 0, 2}, {3 * nr + 7, 40, 0, 5, 1}, {nr - 3, 64, 4, 0, 0}, {12 * nr, 129, 1, 0, 128},
        };
        for (int[] s : shapes) {
            int cols = s[0], ks = s[1], j0 = s[3], p0 = s[4], j1 = j0 + cols, panels = (cols + nr - 1) / nr, bOff = 2;
            for (boolean transB : new boolean[] {false, true}) {
                int ldb = transB ? p0 + ks + s[2] : j1 + s[2];
                float[] b = new float[bOff + (transB ? j1 * ldb : (p0 + ks) * ldb) + 1];
                for (int i = 0; i < b.length; i++) b[i] = rng.nextFloat() - 0.5f;
                float[] dst = new float[panels * nr * ks];
                Arrays.fill(dst, Float.NaN);
                GemmPacking.packB(transB, b, bOff, ldb, j0, j1, p0, ks, nr, dst, 0, panels);
                assertThat(dst).as("transB %s cols %d ks %d ldb %d", transB, cols, ks, ldb)
                        .containsExactly(expectedB(transB, b, bOff, ldb, j0, j1, p0, ks, nr, panels));
                // parallel packing splits the panels: two halves packed apart give the same slab
                float[] halves = new float[dst.length];
                Arrays.fill(halves, Float.NaN);
                GemmPacking.packB(transB, b, bOff, ldb, j0, j1, p0, ks, nr, halves, panels / 2, panels);
                GemmPacking.packB(transB, b, bOff, ldb, j0, j1, p0, ks, nr, halves, 0, panels / 2);
                assertThat(halves).as("halves, transB %s cols %d ks %d", transB, cols, ks).containsExactly(dst);
            }
        }
    }
}
