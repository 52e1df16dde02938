package io.cpo4j.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Packs full panels of row-major A (12 rows, AVX-512's A panels) and of Bᵀ's rows (32, its B
 * panels) by transposing 16 columns at a time in registers: row vectors in, panel-order vectors
 * out. It replaces {@link GemmPacking.Vec#packRows}'s gather, which costs about one cycle per
 * value on Zen 5 against about a third of that here (see BENCHMARKS.md, "Packing A").
 *
 * <p>Two steps, each a 4 × 4 transpose done with two-source shuffles:
 * <ol>
 *   <li>Within 128-bit lanes: four rows r..r+3, 16 columns each, become four vectors (a0..a3 for
 *       rows 0-3, b for 4-7, c for 8-11, e for 12-15; d is the destination's offset) whose j-th
 *       has in 128-bit lane g those four rows at column 4g + j — a "quad".</li>
 *   <li>Of 128-bit lanes: four quad vectors become four vectors that each hold lane g of all
 *       four — the quads of one output vector, in panel order.</li>
 * </ol>
 * Only for 16-lane vectors ({@link #APPLIES}); the results are the same values as any other
 * packing, moved, never computed. The steps are written out rather than called: a vector passed
 * to a method C2 does not inline is boxed, and the versions with helpers ran about 2× slower.
 */
final class GemmTranspose {
    /** 16 floats; on narrower machines the Vector API runs it in software (slowly, but the tests can check it there too). */
    static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    /** Whether this machine's vectors are 16 floats, so that packing takes these transposes. */
    static final boolean APPLIES = FloatVector.SPECIES_PREFERRED.length() == 16;
    /** Columns transposed per step. */
    static final int COLUMNS = 16;

    // Step 1, within each 128-bit lane: interleave two rows' low or high pairs, then take two pairs' low or high halves.
    private static final VectorShuffle<Float> LOW_PAIRS = inLanes(0, 4, 1, 5), HIGH_PAIRS = inLanes(2, 6, 3, 7),
            LOW_HALVES = inLanes(0, 1, 4, 5), HIGH_HALVES = inLanes(2, 3, 6, 7);
    // Step 2, the same on whole 128-bit lanes.
    private static final VectorShuffle<Float> LOW_LANE_PAIRS = ofLanes(0, 4, 1, 5), HIGH_LANE_PAIRS = ofLanes(2, 6, 3, 7),
            LOW_LANE_HALVES = ofLanes(0, 1, 4, 5), HIGH_LANE_HALVES = ofLanes(2, 3, 6, 7);

    private GemmTranspose() {}

    /**
     * Panel of 12 rows at {@code a[src + r·lda + p]} into {@code dst[d + p·12 + r]}, for the
     * columns p below kc in whole steps of 16; returns how many columns it packed.
     */
    static int rows12(float[] a, int src, int lda, int kc, float[] dst, int d) {
        VectorShuffle<Float> lo = LOW_PAIRS, hi = HIGH_PAIRS, lh = LOW_HALVES, hh = HIGH_HALVES;
        VectorShuffle<Float> llo = LOW_LANE_PAIRS, lhi = HIGH_LANE_PAIRS, llh = LOW_LANE_HALVES, lhh = HIGH_LANE_HALVES;
        int p = 0;
        for (; p + COLUMNS <= kc; p += COLUMNS) {
            // step 1 on rows 0-3 (a), 4-7 (b), 8-11 (c): aj's 128-bit lane g = rows 0-3 at column p + 4g + j
            int s = src + p;
            FloatVector x0 = FloatVector.fromArray(S, a, s), x1 = FloatVector.fromArray(S, a, s + lda),
                    x2 = FloatVector.fromArray(S, a, s + 2 * lda), x3 = FloatVector.fromArray(S, a, s + 3 * lda);
            FloatVector t0 = x0.rearrange(lo, x1), t1 = x0.rearrange(hi, x1), t2 = x2.rearrange(lo, x3), t3 = x2.rearrange(hi, x3);
            FloatVector a0 = t0.rearrange(lh, t2), a1 = t0.rearrange(hh, t2), a2 = t1.rearrange(lh, t3), a3 = t1.rearrange(hh, t3);
            s += 4 * lda;
            x0 = FloatVector.fromArray(S, a, s);
            x1 = FloatVector.fromArray(S, a, s + lda);
            x2 = FloatVector.fromArray(S, a, s + 2 * lda);
            x3 = FloatVector.fromArray(S, a, s + 3 * lda);
            t0 = x0.rearrange(lo, x1);
            t1 = x0.rearrange(hi, x1);
            t2 = x2.rearrange(lo, x3);
            t3 = x2.rearrange(hi, x3);
            FloatVector b0 = t0.rearrange(lh, t2), b1 = t0.rearrange(hh, t2), b2 = t1.rearrange(lh, t3), b3 = t1.rearrange(hh, t3);
            s += 4 * lda;
            x0 = FloatVector.fromArray(S, a, s);
            x1 = FloatVector.fromArray(S, a, s + lda);
            x2 = FloatVector.fromArray(S, a, s + 2 * lda);
            x3 = FloatVector.fromArray(S, a, s + 3 * lda);
            t0 = x0.rearrange(lo, x1);
            t1 = x0.rearrange(hi, x1);
            t2 = x2.rearrange(lo, x3);
            t3 = x2.rearrange(hi, x3);
            FloatVector c0 = t0.rearrange(lh, t2), c1 = t0.rearrange(hh, t2), c2 = t1.rearrange(lh, t3), c3 = t1.rearrange(hh, t3);
            // step 2: columns p + 4g .. p + 4g + 3 are 48 values at o + 48g, the quads in the order
            // a0 b0 c0 a1 | b1 c1 a2 b2 | c2 a3 b3 c3 — one output vector per group of four
            int o = d + p * 12;
            t0 = a0.rearrange(llo, b0);
            t1 = a0.rearrange(lhi, b0);
            t2 = c0.rearrange(llo, a1);
            t3 = c0.rearrange(lhi, a1);
            t0.rearrange(llh, t2).intoArray(dst, o);
            t0.rearrange(lhh, t2).intoArray(dst, o + 48);
            t1.rearrange(llh, t3).intoArray(dst, o + 96);
            t1.rearrange(lhh, t3).intoArray(dst, o + 144);
            t0 = b1.rearrange(llo, c1);
            t1 = b1.rearrange(lhi, c1);
            t2 = a2.rearrange(llo, b2);
            t3 = a2.rearrange(lhi, b2);
            t0.rearrange(llh, t2).intoArray(dst, o + 16);
            t0.rearrange(lhh, t2).intoArray(dst, o + 64);
            t1.rearrange(llh, t3).intoArray(dst, o + 112);
            t1.rearrange(lhh, t3).intoArray(dst, o + 160);
            t0 = c2.rearrange(llo, a3);
            t1 = c2.rearrange(lhi, a3);
            t2 = b3.rearrange(llo, c3);
            t3 = b3.rearrange(lhi, c3);
            t0.rearrange(llh, t2).intoArray(dst, o + 32);
            t0.rearrange(lhh, t2).intoArray(dst, o + 80);
            t1.rearrange(llh, t3).intoArray(dst, o + 128);
            t1.rearrange(lhh, t3).intoArray(dst, o + 176);
        }
        return p;
    }

    /**
     * Panel of 32 rows at {@code a[src + r·lda + p]} into {@code dst[d + p·32 + r]}, for the
     * columns p below kc in whole steps of 16, as two halves of 16 rows; returns how many columns
     * it packed.
     */
    static int rows32(float[] a, int src, int lda, int kc, float[] dst, int d) {
        half32(a, src, lda, kc, dst, d);
        return half32(a, src + 16 * lda, lda, kc, dst, d + 16);
    }

    /** 16 rows at {@code a[src + r·lda + p]} into {@code dst[d + p·32 + r]}: half of a 32-row panel. */
    private static int half32(float[] a, int src, int lda, int kc, float[] dst, int d) {
        VectorShuffle<Float> lo = LOW_PAIRS, hi = HIGH_PAIRS, lh = LOW_HALVES, hh = HIGH_HALVES;
        VectorShuffle<Float> llo = LOW_LANE_PAIRS, lhi = HIGH_LANE_PAIRS, llh = LOW_LANE_HALVES, lhh = HIGH_LANE_HALVES;
        int p = 0;
        for (; p + COLUMNS <= kc; p += COLUMNS) {
            int o = d + p * 32;
            // four times step 1 (rows 4q .. 4q+3), then step 2 for each j: (q0 q1 q2 q3) of column 4g + j
            int s = src + p;
            FloatVector x0 = FloatVector.fromArray(S, a, s), x1 = FloatVector.fromArray(S, a, s + lda),
                    x2 = FloatVector.fromArray(S, a, s + 2 * lda), x3 = FloatVector.fromArray(S, a, s + 3 * lda);
            FloatVector t0 = x0.rearrange(lo, x1), t1 = x0.rearrange(hi, x1), t2 = x2.rearrange(lo, x3), t3 = x2.rearrange(hi, x3);
            FloatVector a0 = t0.rearrange(lh, t2), a1 = t0.rearrange(hh, t2), a2 = t1.rearrange(lh, t3), a3 = t1.rearrange(hh, t3);
            s += 4 * lda;
            x0 = FloatVector.fromArray(S, a, s);
            x1 = FloatVector.fromArray(S, a, s + lda);
            x2 = FloatVector.fromArray(S, a, s + 2 * lda);
            x3 = FloatVector.fromArray(S, a, s + 3 * lda);
            t0 = x0.rearrange(lo, x1);
            t1 = x0.rearrange(hi, x1);
            t2 = x2.rearrange(lo, x3);
            t3 = x2.rearrange(hi, x3);
            FloatVector b0 = t0.rearrange(lh, t2), b1 = t0.rearrange(hh, t2), b2 = t1.rearrange(lh, t3), b3 = t1.rearrange(hh, t3);
            s += 4 * lda;
            x0 = FloatVector.fromArray(S, a, s);
            x1 = FloatVector.fromArray(S, a, s + lda);
            x2 = FloatVector.fromArray(S, a, s + 2 * lda);
            x3 = FloatVector.fromArray(S, a, s + 3 * lda);
            t0 = x0.rearrange(lo, x1);
            t1 = x0.rearrange(hi, x1);
            t2 = x2.rearrange(lo, x3);
            t3 = x2.rearrange(hi, x3);
            FloatVector c0 = t0.rearrange(lh, t2), c1 = t0.rearrange(hh, t2), c2 = t1.rearrange(lh, t3), c3 = t1.rearrange(hh, t3);
            s += 4 * lda;
            x0 = FloatVector.fromArray(S, a, s);
            x1 = FloatVector.fromArray(S, a, s + lda);
            x2 = FloatVector.fromArray(S, a, s + 2 * lda);
            x3 = FloatVector.fromArray(S, a, s + 3 * lda);
            t0 = x0.rearrange(lo, x1);
            t1 = x0.rearrange(hi, x1);
            t2 = x2.rearrange(lo, x3);
            t3 = x2.rearrange(hi, x3);
            FloatVector e0 = t0.rearrange(lh, t2), e1 = t0.rearrange(hh, t2), e2 = t1.rearrange(lh, t3), e3 = t1.rearrange(hh, t3);
            // column p + 4g + j of the 16 rows: lane g of a_j b_j c_j e_j, at o + (4g + j)·32
            int step = 4 * 32;
            t0 = a0.rearrange(llo, b0);
            t1 = a0.rearrange(lhi, b0);
            t2 = c0.rearrange(llo, e0);
            t3 = c0.rearrange(lhi, e0);
            t0.rearrange(llh, t2).intoArray(dst, o);
            t0.rearrange(lhh, t2).intoArray(dst, o + step);
            t1.rearrange(llh, t3).intoArray(dst, o + 2 * step);
            t1.rearrange(lhh, t3).intoArray(dst, o + 3 * step);
            o += 32;
            t0 = a1.rearrange(llo, b1);
            t1 = a1.rearrange(lhi, b1);
            t2 = c1.rearrange(llo, e1);
            t3 = c1.rearrange(lhi, e1);
            t0.rearrange(llh, t2).intoArray(dst, o);
            t0.rearrange(lhh, t2).intoArray(dst, o + step);
            t1.rearrange(llh, t3).intoArray(dst, o + 2 * step);
            t1.rearrange(lhh, t3).intoArray(dst, o + 3 * step);
            o += 32;
            t0 = a2.rearrange(llo, b2);
            t1 = a2.rearrange(lhi, b2);
            t2 = c2.rearrange(llo, e2);
            t3 = c2.rearrange(lhi, e2);
            t0.rearrange(llh, t2).intoArray(dst, o);
            t0.rearrange(lhh, t2).intoArray(dst, o + step);
            t1.rearrange(llh, t3).intoArray(dst, o + 2 * step);
            t1.rearrange(lhh, t3).intoArray(dst, o + 3 * step);
            o += 32;
            t0 = a3.rearrange(llo, b3);
            t1 = a3.rearrange(lhi, b3);
            t2 = c3.rearrange(llo, e3);
            t3 = c3.rearrange(lhi, e3);
            t0.rearrange(llh, t2).intoArray(dst, o);
            t0.rearrange(lhh, t2).intoArray(dst, o + step);
            t1.rearrange(llh, t3).intoArray(dst, o + 2 * step);
            t1.rearrange(lhh, t3).intoArray(dst, o + 3 * step);
        }
        return p;
    }

    /**
     * A shuffle that, within each 128-bit lane, takes element {@code pick[e]} for element e:
     * 0–3 from this vector's lane, 4–7 from the other vector's.
     */
    private static VectorShuffle<Float> inLanes(int... pick) {
        int[] index = new int[S.length()];
        for (int i = 0; i < index.length; i++) {
            int lane = i / 4 * 4, from = pick[i % 4];
            index[i] = from < 4 ? lane + from : S.length() + lane + from - 4;
        }
        return VectorShuffle.fromArray(S, index, 0);
    }

    /** A shuffle that takes 128-bit lane {@code pick[l]} for lane l: 0–3 this vector's, 4–7 the other's. */
    private static VectorShuffle<Float> ofLanes(int... pick) {
        int[] index = new int[S.length()];
        for (int i = 0; i < index.length; i++) {
            int from = pick[i / 4 % 4], element = i % 4;
            index[i] = from < 4 ? 4 * from + element : S.length() + 4 * (from - 4) + element;
        }
        return VectorShuffle.fromArray(S, index, 0);
    }
}
