package io.cpo4j.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Copies blocks of the GEMM operands into the panel layout the micro-kernel streams through,
 * padding partial panels with zeros so that the kernel never needs a tail.
 *
 * <ul>
 *   <li>A panels: {@code mr} rows of op(A) interleaved per k — element (r, p) of a panel at
 *       {@code p·mr + r}; a block of consecutive panels, each {@code mr·kc} long.</li>
 *   <li>B panels: {@code nr} columns of op(B) per k — element (p, j) of a panel at {@code p·nr + j};
 *       panel q of a slab at {@code q·nr·ks}.</li>
 * </ul>
 *
 * Packing only moves values, so the product's numbers do not depend on how it is blocked.
 * Row-major A and transposed B are the costly cases — a transpose, one scalar copy per value
 * with the writes a panel's width apart; full panels are transposed in registers on 16-lane
 * vectors ({@link GemmTranspose}) and gathered a vector at a time otherwise ({@link Vec#packRows}).
 * The class is used only on the Vector API path (see {@link Gemm}).
 */
final class GemmPacking {

    /**
     * Depths copied per band when runs are strided (transposed A, row-major B): a band's source
     * rows stay in the TLB and L1 while it is spread across all panels, where walking one panel's
     * whole depth would touch a new page per value run.
     */
    static final int BAND = 16;
    /** Depths widened per band when packing transposed half-precision B: a block of nr × BAND_HALF floats (16 KB at nr = 32) stays in L1. */
    static final int BAND_HALF = 128;

    private GemmPacking() {}

    /**
     * Packs rows {@code [i0, i0+rows)} and depths {@code [p0, p0+kc)} of op(A) into
     * {@code ceil(rows/mr)} panels at {@code dst[0..]}; rows past {@code rows} are zero.
     */
    static void packA(boolean transA, float[] a, int aOff, int lda, int i0, int rows, int p0, int kc,
                      int mr, float[] dst) {
        if (transA) {
            // op(A)(i, p) = a[p·lda + i]: each depth is a contiguous run of rows, copied a band of depths at a time.
            for (int pb = 0; pb < kc; pb += BAND) {
                int pe = Math.min(kc, pb + BAND);
                for (int r0 = 0; r0 < rows; r0 += mr) {
                    copyRuns(a, aOff + (p0 + pb) * lda + i0 + r0, lda, Math.min(mr, rows - r0), pe - pb, mr, dst, r0 * kc + pb * mr);
                }
            }
            return;
        }
        int[] map = Vec.GATHER && rows >= mr && kc >= Vec.columnsPerRound(mr) ? Vec.indexMap(lda, mr) : null;
        for (int r0 = 0; r0 < rows; r0 += mr) {
            int live = Math.min(mr, rows - r0), base = r0 * kc;
            if (live == mr && map != null) {
                Vec.packRows(a, aOff + (i0 + r0) * lda + p0, lda, kc, mr, map, dst, base);
            } else {
                // op(A)(i, p) = a[i·lda + p]: read each row in order, write it with stride mr.
                for (int r = 0; r < live; r++) {
                    int src = aOff + (i0 + r0 + r) * lda + p0, d = base + r;
                    for (int p = 0; p < kc; p++) dst[d + p * mr] = a[src + p];
                }
                for (int r = live; r < mr; r++) {
                    for (int p = 0; p < kc; p++) dst[base + r + p * mr] = 0f;
                }
            }
        }
    }

    /**
     * Packs panels {@code [q0, q1)} of the slab: columns {@code [j0 + q·nr, j0 + (q+1)·nr)} clipped to
     * {@code j1}, depths {@code [p0, p0+ks)} of op(B); panel q lands at {@code dst[q·nr·ks]}.
     */
    static void packB(boolean transB, float[] b, int bOff, int ldb, int j0, int j1, int p0, int ks,
                      int nr, float[] dst, int q0, int q1) {
        if (!transB) {
            // op(B)(p, j) = b[p·ldb + j]: each depth is a contiguous run of columns, copied a band of depths at a time.
            for (int pb = 0; pb < ks; pb += BAND) {
                int pe = Math.min(ks, pb + BAND);
                for (int q = q0; q < q1; q++) {
                    int jStart = j0 + q * nr;
                    copyRuns(b, bOff + (p0 + pb) * ldb + jStart, ldb, Math.min(nr, j1 - jStart), pe - pb, nr, dst, q * nr * ks + pb * nr);
                }
            }
            return;
        }
        int[] map = Vec.GATHER && ks >= Vec.columnsPerRound(nr) ? Vec.indexMap(ldb, nr) : null;
        for (int q = q0; q < q1; q++) {
            int jStart = j0 + q * nr, live = Math.min(nr, j1 - jStart), base = q * nr * ks;
            if (live == nr && map != null) {
                // the rows of b are op(B)'s columns: the same gather as row-major A, nr rows wide
                Vec.packRows(b, bOff + jStart * ldb + p0, ldb, ks, nr, map, dst, base);
            } else {
                // op(B)(p, j) = b[j·ldb + p]: read each column's row of b in order, write with stride nr.
                for (int j = 0; j < live; j++) {
                    int src = bOff + (jStart + j) * ldb + p0, d = base + j;
                    for (int p = 0; p < ks; p++) dst[d + p * nr] = b[src + p];
                }
                for (int j = live; j < nr; j++) {
                    for (int p = 0; p < ks; p++) dst[base + j + p * nr] = 0f;
                }
            }
        }
    }

    /**
     * {@link #packB} from half-precision B ({@code bf16}: bfloat16, else float16 bits), each value
     * widened to float32 as it is copied: the panels hold exactly what {@link #packB} would copy
     * from the widened matrix.
     */
    static void packBHalf(boolean transB, short[] b, int bOff, int ldb, boolean bf16, int j0, int j1, int p0, int ks,
                          int nr, float[] dst, int q0, int q1) {
        if (!transB) {
            // op(B)(p, j) = b[p·ldb + j]: each depth is a contiguous run of columns, widened a band of depths at a time.
            for (int pb = 0; pb < ks; pb += BAND) {
                int pe = Math.min(ks, pb + BAND);
                for (int q = q0; q < q1; q++) {
                    int jStart = j0 + q * nr, live = Math.min(nr, j1 - jStart);
                    for (int p = pb; p < pe; p++) {
                        int d = q * nr * ks + p * nr;
                        HalfFloats.widen(b, bOff + (p0 + p) * ldb + jStart, dst, d, live, bf16);
                        for (int j = live; j < nr; j++) dst[d + j] = 0f;
                    }
                }
            }
            return;
        }
        // op(B)(p, j) = b[j·ldb + p]. A full panel: its nr rows of b widened a band of depths at a time into
        // a scratch block (rows BAND_HALF apart), which the float32 path's gather then packs.
        int[] map = Vec.GATHER ? Vec.indexMap(BAND_HALF, nr) : null;
        float[] block = map == null ? null : ThreadScratch.get(ThreadScratch.HALF_PANEL, nr * BAND_HALF);
        for (int q = q0; q < q1; q++) {
            int jStart = j0 + q * nr, live = Math.min(nr, j1 - jStart), base = q * nr * ks;
            if (live == nr && map != null) {
                for (int pb = 0; pb < ks; pb += BAND_HALF) {
                    int len = Math.min(BAND_HALF, ks - pb);
                    for (int j = 0; j < nr; j++) HalfFloats.widen(b, bOff + (jStart + j) * ldb + p0 + pb, block, j * BAND_HALF, len, bf16);
                    Vec.packRows(block, 0, BAND_HALF, len, nr, map, dst, base + pb * nr);
                }
                continue;
            }
            // a partial panel: read each column's row of b in order, write with stride nr
            for (int j = 0; j < live; j++) {
                int src = bOff + (jStart + j) * ldb + p0, d = base + j;
                if (bf16) for (int p = 0; p < ks; p++) dst[d + p * nr] = HalfFloats.bf16ToFloat(b[src + p]);
                else for (int p = 0; p < ks; p++) dst[d + p * nr] = Float.float16ToFloat(b[src + p]);
            }
            for (int j = live; j < nr; j++) {
                for (int p = 0; p < ks; p++) dst[base + j + p * nr] = 0f;
            }
        }
    }

    /**
     * {@code depths} runs of {@code live} values, {@code stride} apart from {@code src}, into
     * consecutive slots of {@code width} at {@code dst[d..]}, zero past {@code live}.
     */
    private static void copyRuns(float[] src, int from, int stride, int live, int depths, int width, float[] dst, int d) {
        if (live == width && width == 2 * Vec.S.length()) {                  // a full B panel: two vector copies per depth
            Vec.copyRuns2(src, from, stride, depths, dst, d);
            return;
        }
        if (Vec.MASKED && width <= Vec.S.length()) {                         // an A panel: one masked copy per depth
            Vec.copyRunsMasked(src, from, stride, live, depths, width, dst, d);
            return;
        }
        for (int p = 0; p < depths; p++, from += stride, d += width) {
            System.arraycopy(src, from, dst, d, live);
            for (int j = live; j < width; j++) dst[d + j] = 0f;
        }
    }

    static final class Vec {
        static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
        /**
         * Whether to gather: with 256- and 512-bit vectors (AVX2, AVX-512) a gather is one
         * instruction; on 128-bit vectors the Vector API falls back to a per-lane loop, far slower
         * than the scalar copy.
         */
        static final boolean GATHER = S.vectorBitSize() >= 256;

        /**
         * Whether to copy short runs (a transposed A panel's rows, 12 values on AVX-512) with a
         * masked load and store: one instruction each from AVX on, where a {@code System.arraycopy}
         * call per run costs more than the dozen values it moves.
         */
        static final boolean MASKED = S.vectorBitSize() >= 256;

        private Vec() {}

        /** {@code depths} runs of {@code live ≤ width ≤ S.length()} values, {@code stride} apart, into slots of {@code width}, zero past live. */
        static void copyRunsMasked(float[] src, int from, int stride, int live, int depths, int width, float[] dst, int d) {
            VectorMask<Float> load = S.indexInRange(0, live), store = S.indexInRange(0, width);
            for (int p = 0; p < depths; p++, from += stride, d += width) {
                FloatVector.fromArray(S, src, from, load).intoArray(dst, d, store);
            }
        }

        /** {@code depths} runs of two vectors, {@code stride} apart, into consecutive slots: a full B panel's rows. */
        static void copyRuns2(float[] src, int from, int stride, int depths, float[] dst, int d) {
            int l = S.length();
            for (int p = 0; p < depths; p++, from += stride, d += 2 * l) {
                FloatVector.fromArray(S, src, from).intoArray(dst, d);
                FloatVector.fromArray(S, src, from + l).intoArray(dst, d + l);
            }
        }

        /** Columns gathered per round: the fewest whose mr-row panel slice fills whole vectors. */
        static int columnsPerRound(int mr) {
            int lanes = S.length(), a = mr, b = lanes;
            while (b != 0) {
                int t = a % b;
                a = b;
                b = t;
            }
            return lanes / a;                                           // lanes / gcd(mr, lanes)
        }

        /** Offsets of one round's values in row-major A (row stride lda), in panel order: entry q = (q mod mr)·lda + q div mr. */
        static int[] indexMap(int lda, int mr) {
            int[] map = new int[columnsPerRound(mr) * mr];
            for (int q = 0; q < map.length; q++) map[q] = (q % mr) * lda + q / mr;
            return map;
        }

        /**
         * One full panel of row-major A (or of Bᵀ's rows) — mr rows from {@code src}, kc deep — into panel layout at
         * {@code dst[d..]}: with 16-lane vectors and the panel widths of AVX-512 (12, 32) transposed in
         * registers 16 columns at a time ({@link GemmTranspose}); otherwise each round gathers
         * columnsPerRound(mr) columns × mr rows, a vector at a time, and stores them in order. The last
         * columns (fewer than a step or a round) are copied one by one.
         */
        static void packRows(float[] a, int src, int lda, int kc, int mr, int[] map, float[] dst, int d) {
            int lanes = S.length(), g = columnsPerRound(mr), vectors = map.length / lanes;
            int p = 0;
            if (GemmTranspose.APPLIES && mr == 12) {
                p = GemmTranspose.rows12(a, src, lda, kc, dst, d);
            } else if (GemmTranspose.APPLIES && mr == 32) {
                p = GemmTranspose.rows32(a, src, lda, kc, dst, d);
            }
            for (; p + g <= kc; p += g) {
                int out = d + p * mr;
                for (int v = 0; v < vectors; v++) FloatVector.fromArray(S, a, src + p, map, v * lanes).intoArray(dst, out + v * lanes);
            }
            for (; p < kc; p++) {
                for (int r = 0; r < mr; r++) dst[d + p * mr + r] = a[src + r * lda + p];
            }
        }
    }
}
