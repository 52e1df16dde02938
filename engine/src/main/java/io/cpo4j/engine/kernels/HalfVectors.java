package io.cpo4j.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Half-precision values widened to float32 a vector at a time: {@code S.length()} shorts (a vector
 * of half the float width) are sign-extended to ints, then moved into float32's bit layout —
 * bfloat16 by a shift; float16 by the integer steps of a float16-to-float32 conversion (the
 * Vector API of Java 21 has no such conversion). Each lane gets exactly
 * {@link HalfFloats#toFloat}'s value. Loaded only on the vector path (see {@link Simd}).
 */
final class HalfVectors {

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, S.vectorShape());
    /** As many short lanes as S has float lanes. */
    static final VectorSpecies<Short> H = VectorSpecies.of(short.class, VectorShape.forBitSize(S.vectorBitSize() / 2));
    /** 2^-14, the smallest normal float16: float16 zeros and subnormals are (2^-14 + m·2^-24) − 2^-14, exactly. */
    private static final float SUBNORMAL_BIAS = Float.intBitsToFloat(113 << 23);

    private HalfVectors() {}

    /*
     * One method per format, and kernels that call one of them per loop: a loop that chose the
     * format per vector (a branch whose two arms both yield a vector) was compiled with its vectors
     * boxed, ten times slower, once both formats had run in the JVM.
     */

    /** S.length() bfloat16 values from {@code a[off..]} as float32. */
    static FloatVector bf16(short[] a, int off) {
        return widened(a, off).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    /** S.length() float16 values from {@code a[off..]} as float32. */
    static FloatVector f16(short[] a, int off) {
        return f16(widened(a, off));
    }

    /** S.length() shorts, sign-extended to ints. */
    private static IntVector widened(short[] a, int off) {
        return (IntVector) ShortVector.fromArray(H, a, off).convertShape(VectorOperators.S2I, I, 0);
    }

    /** float16 bits (sign-extended into ints) → float32. */
    private static FloatVector f16(IntVector h) {
        IntVector sign = h.and(0x8000).lanewise(VectorOperators.LSHL, 16);
        IntVector magnitude = h.and(0x7FFF);
        IntVector shifted = magnitude.lanewise(VectorOperators.LSHL, 13);          // exponent and fraction in float32's place
        IntVector normal = shifted.add(112 << 23);                                  // rebias the exponent: 127 − 15
        normal = normal.add(112 << 23, magnitude.compare(VectorOperators.GE, 0x7C00)); // infinities and NaN: exponent all ones
        FloatVector value = normal.reinterpretAsFloats();
        VectorMask<Float> small = magnitude.compare(VectorOperators.LT, 0x0400).cast(S);
        FloatVector subnormal = shifted.add(113 << 23).reinterpretAsFloats().sub(SUBNORMAL_BIAS);
        return value.blend(subnormal, small).reinterpretAsInts().or(sign).reinterpretAsFloats();
    }

    /** dst[dOff + i] = value of src[sOff + i], i &lt; n; the tail in scalar. */
    static void widen(short[] src, int sOff, float[] dst, int dOff, int n, boolean bf16) {
        int i = 0, bound = S.loopBound(n);
        if (bf16) for (; i < bound; i += S.length()) bf16(src, sOff + i).intoArray(dst, dOff + i);
        else for (; i < bound; i += S.length()) f16(src, sOff + i).intoArray(dst, dOff + i);
        for (; i < n; i++) dst[dOff + i] = HalfFloats.toFloat(src[sOff + i], bf16);
    }
}
