package io.cpo4j.engine.kernels;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static io.cpo4j.engine.kernels.Twins.assertTwins;
import static io.cpo4j.engine.kernels.Twins.randn;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packed, blocked GEMM against the textbook triple loop, on shapes that cross every block
 * boundary: several KC-deep blocks, several row blocks, partial micro-tiles, more than one packed
 * slab of B; and bit-identical results for 1 and 2 threads.
 */
class GemmTest {

    private final int defaultThreads = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(defaultThreads);
    }

    private static void checkAgainstScalar(int m, int n, int k, boolean ta, boolean tb, boolean acc) {
        float[] a = Twins.uniform(m * 31L + k, m * k, -1f, 1f), b = Twins.uniform(n * 17L + k, k * n, -1f, 1f), c0 = randn(5, m * n);
        int lda = ta ? m : k, ldb = tb ? k : n;
        float[] v = c0.clone(), s = c0.clone();
        Gemm.gemm(ta, tb, m, n, k, a, 0, lda, b, 0, ldb, v, 0, n, acc);
        Gemm.gemmScalar(ta, tb, m, n, k, a, 0, lda, b, 0, ldb, s, 0, n, acc);
        String what = "gemm " + m + "x" + n + "x" + k + " transA=" + ta + " transB=" + tb + " acc=" + acc;
        assertWithinRoundingBound(what + " (vector)", v, ta, tb, m, n, k, a, lda, b, ldb, c0, acc);
        assertWithinRoundingBound(what + " (scalar)", s, ta, tb, m, n, k, a, lda, b, ldb, c0, acc);
    }

    /**
     * Every element within the worst-case float summation bound of the exact (double) product:
     * |c − exact| ≤ (k + 2)·2⁻²⁴·(|c0| + Σ|a·b|). Any order of summation satisfies it; a missing
     * or doubled term, or a wrong element, does not (the terms are of order one).
     */
    private static void assertWithinRoundingBound(String what, float[] c, boolean ta, boolean tb, int m, int n, int k,
                                                  float[] a, int lda, float[] b, int ldb, float[] c0, boolean acc) {
        double u = 0x1p-24;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double exact = acc ? c0[i * n + j] : 0, magnitude = Math.abs(exact);
                for (int p = 0; p < k; p++) {
                    double t = (double) (ta ? a[p * lda + i] : a[i * lda + p]) * (tb ? b[j * ldb + p] : b[p * ldb + j]);
                    exact += t;
                    magnitude += Math.abs(t);
                }
                double bound = (k + 2) * u * magnitude + 1e-30;
                assertThat(Math.abs(c[i * n + j] - exact)).as("%s: element (%d, %d) = %s, exact %s", what, i, j, c[i * n + j], exact)
                        .isLessThanOrEqualTo(bound);
            }
        }
    }

    @Test
    void crossesDepthRowAndColumnBlocks() {
        // k > KC (several depth blocks, the last partial), m > MC (several row blocks), n with a partial panel;
        // n = 1100 takes more B panels than one A panel sweeps at a time (a group), so the tiles walk along C's rows.
        int[][] shapes = {{Gemm.MC + 37, 37, Gemm.KC * 2 + 19}, {13, 97, Gemm.KC + 1}, {1, 1, 2 * Gemm.KC}, {2 * Gemm.Vec.MR + 5, 1100, Gemm.KC + 3}};
        for (int[] sh : shapes) {
            for (int t = 0; t < 4; t++) {
                checkAgainstScalar(sh[0], sh[1], sh[2], (t & 1) != 0, (t & 2) != 0, t == 3);
            }
        }
    }

    @Test
    void bIsPackedInSeveralSlabsWhenLarge() {
        // n·k > SLAB: op(B) no longer fits one packed slab, so it is packed column-slab by column-slab.
        int n = 4100, k = Gemm.SLAB / n + 64;
        checkAgainstScalar(2, n, k, false, true, false);
    }

    @Test
    void bothMicroKernelsMatchTheScalarProductOfTheirPanels() {
        // Only one kernel is picked on a given machine (by vector width); test both anyway.
        int nr = Gemm.Vec.NR, kc = 37;
        for (int mr : new int[] {12, 6}) {
            float[] a = randn(10 + mr, mr * kc), b = randn(11, nr * kc), c0 = randn(12, mr * (nr + 3));
            for (boolean add : new boolean[] {false, true}) {
                float[] v = c0.clone(), s = c0.clone();
                if (mr == 12) Gemm.Vec.kernel12x2(kc, a, 0, b, 0, v, 1, nr + 3, add);
                else Gemm.Vec.kernel6x2(kc, a, 0, b, 0, v, 1, nr + 3, add);
                for (int r = 0; r < mr; r++) {
                    for (int j = 0; j < nr; j++) {
                        float sum = 0f;
                        for (int p = 0; p < kc; p++) sum = Math.fma(a[p * mr + r], b[p * nr + j], sum);
                        int ci = 1 + r * (nr + 3) + j;
                        s[ci] = add ? s[ci] + sum : sum;
                    }
                }
                // Same FMA chain per element, in the same order: bit for bit.
                assertThat(v).as("kernel %dx2, add=%s", mr, add).containsExactly(s);
            }
        }
    }

    @Test
    void zeroDepthClearsOrKeepsC() {
        float[] c = {1f, 2f, 3f, 4f};
        Gemm.gemm(false, false, 2, 2, 0, new float[0], 0, 0, new float[0], 0, 2, c, 0, 2, true);
        assertThat(c).containsExactly(1f, 2f, 3f, 4f);
        Gemm.gemm(false, false, 2, 2, 0, new float[0], 0, 0, new float[0], 0, 2, c, 0, 2, false);
        assertThat(c).containsExactly(0f, 0f, 0f, 0f);
    }

    @Test
    void writesOnlyItsOwnBlockOfAStridedC() {
        // C is a 5x7 window (ldc 11) inside a larger buffer: everything outside the window stays put.
        int m = 5, n = 7, k = 9, ldc = 11, cOff = 3;
        float[] a = randn(1, m * k), b = randn(2, k * n);
        float[] v = new float[cOff + m * ldc + 4], s = new float[v.length];
        Arrays.fill(v, 42f);
        Arrays.fill(s, 42f);
        Gemm.gemm(false, false, m, n, k, a, 0, k, b, 0, n, v, cOff, ldc, true);
        Gemm.gemmScalar(false, false, m, n, k, a, 0, k, b, 0, n, s, cOff, ldc, true);
        assertTwins("strided C", v, s);
        for (int i = 0; i < v.length; i++) {
            int rel = i - cOff;
            boolean inside = rel >= 0 && rel / ldc < m && rel % ldc < n;
            if (!inside) assertThat(v[i]).as("element %d outside the window", i).isEqualTo(42f);
        }
    }

    @Test
    void anyThreadCountGivesTheSameBits() {
        // row and column parts, column chunks, tasks taken from other workers' parts, B panels
        // packed by whichever task needs them first, several B slabs across columns and across
        // depth (the two slab buffers taking turns), more workers than cores
        int[][] shapes = {{150, 200, 300}, {37, 500, 300}, {400, 40, 50}, {300, 100, 260}, {200, 1100, 300},
                {70, 600, 1100}, {29, 100, 2100}, {20, 4200, 600}, {16, 3000, 1600}};
        int[] threadCounts = {1, 2, 3, 8};
        for (int[] sh : shapes) {
            int m = sh[0], n = sh[1], k = sh[2];
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
                float[] a = randn(3, m * k), b = randn(4, k * n);
                float[][] results = new float[threadCounts.length][];
                for (int i = 0; i < threadCounts.length; i++) {
                    Parallel.setThreads(threadCounts[i]);
                    float[] c = randn(6, m * n);
                    Gemm.gemm(ta, tb, m, n, k, a, 0, ta ? m : k, b, 0, tb ? k : n, c, 0, n, true);
                    results[i] = c;
                }
                for (int i = 1; i < threadCounts.length; i++) {
                    assertThat(Arrays.equals(results[0], results[i]))
                            .as("%dx%dx%d transA=%s transB=%s differs between 1 and %d threads", m, n, k, ta, tb, threadCounts[i]).isTrue();
                }
            }
        }
    }

    @Test
    void workersShareThePackingOfBAndEveryTask() {
        // 5120 columns × 1100 deep: 2 column slabs (SLAB / KC columns wide) × 3 depth slabs of KC at
        // most. 120 rows are too few for 4 row parts: 2 row parts × MOST_COL_PARTS column parts.
        int m = 120, n = 5120, k = 1100, threads = 4;
        float[] a = randn(11, m * k), b = randn(12, k * n), c = new float[m * n];
        Parallel.setThreads(threads);
        GemmWork work = GemmWork.start(threads);
        try {
            Gemm.gemm(false, false, m, n, k, a, 0, k, b, 0, n, c, 0, n, false);
        } finally {
            work.stop();
        }
        int nr = Gemm.Vec.NR, mr = Gemm.Vec.MR, slabCols = Gemm.SLAB / (Gemm.KC * nr) * nr, slabs = 2 * 3;
        assertThat((n + slabCols - 1) / slabCols).as("column slabs of %d columns", slabCols).isEqualTo(2);
        long packedB = 0, packedA = 0, tasks = 0;
        for (int w = 0; w < threads; w++) {
            packedB += work.packedB(w);
            packedA += work.packedA(w);
            tasks += work.tasks(w);
        }
        long paddedCols = 0;
        for (int j0 = 0; j0 < n; j0 += slabCols) paddedCols += (Math.min(n, j0 + slabCols) - j0 + nr - 1) / nr * nr;
        assertThat(work.products()).isEqualTo(1);
        assertThat(packedB).as("op(B) packed once, padded to whole panels").isEqualTo(paddedCols * k);
        long paddedRows = (m + mr - 1) / mr * mr;
        assertThat(packedA).as("op(A) packed once per column part and column slab")
                .isEqualTo(2L * Gemm.MOST_COL_PARTS * paddedRows * k);
        assertThat(tasks).as("tasks for 4 workers over 6 slabs").isGreaterThanOrEqualTo((long) slabs * Gemm.MIN_TASKS_PER_THREAD * threads);
        assertThat(work.workers()).as("threads that took part").isBetween(1, threads);
        float[] expected = new float[m * n];
        Gemm.gemmScalar(false, false, m, n, k, a, 0, k, b, 0, n, expected, 0, n, false);
        assertTwins("counted product", c, expected);
    }

    @Test
    void fewRowsAreSharedByColumnsManyByRows() {
        // On 2 threads rows are shared while each worker's part keeps TASKS_PER_THREAD blocks of
        // ROW_PART_PANELS A panels: one panel fewer and every worker packs all of op(A) for its
        // columns, unless the slab is narrower than a group of B panels. On 8 threads the same
        // rows go to 4 row parts × MOST_COL_PARTS column parts.
        int mr = Gemm.Vec.MR, nr = Gemm.Vec.NR, k = 96, wide = Gemm.GROUP_PANELS * nr, narrow = wide - nr;
        int rowSplit = 2 * Gemm.TASKS_PER_THREAD * Gemm.ROW_PART_PANELS;
        int[][] cases = {{2, rowSplit - 1, wide, 2}, {2, rowSplit, wide, 1}, {2, rowSplit - 1, narrow, 1},
                {8, rowSplit - 1, wide, Gemm.MOST_COL_PARTS}};   // threads, A panels, columns, copies of op(A)
        for (int[] cs : cases) {
            int threads = cs[0], panels = cs[1], n = cs[2], copiesOfA = cs[3], m = panels * mr;
            Parallel.setThreads(threads);
            float[] a = randn(21, m * k), b = randn(22, k * n), c = new float[m * n], expected = new float[m * n];
            GemmWork work = GemmWork.start(threads);
            try {
                Gemm.gemm(false, false, m, n, k, a, 0, k, b, 0, n, c, 0, n, false);
            } finally {
                work.stop();
            }
            long packedA = 0, packedB = 0;
            for (int w = 0; w < threads; w++) {
                packedA += work.packedA(w);
                packedB += work.packedB(w);
            }
            String what = threads + " threads, " + panels + " A panels, " + n + " columns";
            assertThat(packedA).as("%s: op(A) packed %d times", what, copiesOfA).isEqualTo((long) copiesOfA * m * k);
            assertThat(packedB).as("%s: op(B) packed once", what).isEqualTo((long) k * n);
            Gemm.gemmScalar(false, false, m, n, k, a, 0, k, b, 0, n, expected, 0, n, false);
            assertTwins(what, c, expected);
        }
    }

    @Test
    void aProductCalledInsideARegionTakesEveryPartAlone() {
        // Inside the team's own work a product runs on its caller, planned for the team's size:
        // that one worker takes every part's tasks from their back, the depth blocks still in order.
        int m = 100, n = 600, k = 1100;
        float[] a = randn(31, m * k), b = randn(32, k * n);
        Parallel.setThreads(1);
        float[] alone = randn(33, m * n);
        Gemm.gemm(false, true, m, n, k, a, 0, k, b, 0, k, alone, 0, n, true);
        Parallel.setThreads(2);
        float[][] nested = {randn(33, m * n), randn(33, m * n)};
        Parallel.forEachTask(2, i -> Gemm.gemm(false, true, m, n, k, a, 0, k, b, 0, k, nested[i], 0, n, true));
        for (float[] c : nested) assertThat(Arrays.equals(alone, c)).as("nested product, bits of 1 thread").isTrue();
        float[] expected = randn(33, m * n);
        Gemm.gemmScalar(false, true, m, n, k, a, 0, k, b, 0, k, expected, 0, n, true);
        assertTwins("nested product", alone, expected);
    }

    @Test
    void batchedAgreesWithOneProductAtATimeOnAnyThreadCount() {
        // 12 small products (a task per product on 1, 2, 3 threads; one pool of slabs on 5 and 8),
        // and 3 products of 4 slabs each (two column slabs × two depth slabs)
        int[][] shapes = {{12, 70, 45, 64}, {3, 20, 4200, 600}};
        for (int[] sh : shapes) {
            int batch = sh[0], m = sh[1], n = sh[2], k = sh[3];
            float[] a = randn(7, batch * m * k), b = randn(8, batch * k * n);
            float[] expected = new float[batch * m * n];
            for (int i = 0; i < batch; i++) {
                Gemm.gemmScalar(false, true, m, n, k, a, i * m * k, k, b, i * k * n, k, expected, i * m * n, n, false);
            }
            float[] first = null;
            for (int threads : new int[] {1, 2, 3, 5, 8}) {
                Parallel.setThreads(threads);
                float[] c = new float[batch * m * n];
                GemmWork work = GemmWork.start(threads);
                try {
                    Gemm.gemmBatched(batch, false, true, m, n, k, a, 0, k, m * k, b, 0, k, k * n, c, 0, n, m * n, false);
                } finally {
                    work.stop();
                }
                boolean pooled = batch % threads != 0 && batch < 4 * threads;
                if (pooled) assertThat(work.products()).as("batch %d on %d threads: one region", batch, threads).isEqualTo(1);
                assertTwins("batched " + batch + "x" + m + "x" + n + "x" + k + ", " + threads + " threads", c, expected);
                if (first == null) first = c;
                else assertThat(Arrays.equals(first, c)).as("batch %d: 1 vs %d threads", batch, threads).isTrue();
            }
        }
    }
}
