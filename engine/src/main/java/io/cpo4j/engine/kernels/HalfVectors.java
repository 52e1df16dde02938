package io.cpo4j.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * bfloat16 values widened to float32 a vector at a time: {@code S.length()} shorts (a vector of half
 * the float width) are sign-extended to ints and shifted into float32's upper half — each lane
 * exactly {@link HalfFloats#bf16ToFloat}'s value. float16 has no vector path here: C2 compiles a
 * plain loop of {@link Float#float16ToFloat} into vector conversions (F16C/AVX-512), which ran
 * faster than the integer steps of a conversion written with Java 21's Vector API (7.4 against
 * 11.5 µs per 64k values). Loaded only on the vector path (see {@link Simd}).
 */
final class HalfVectors {

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, S.vectorShape());
    /** As many short lanes as S has float lanes. */
    static final VectorSpecies<Short> H = VectorSpecies.of(short.class, VectorShape.forBitSize(S.vectorBitSize() / 2));

    private HalfVectors() {}

    /** S.length() bfloat16 values from {@code a[off..]} as float32. */
    static FloatVector bf16(short[] a, int off) {
        IntVector h = (IntVector) ShortVector.fromArray(H, a, off).convertShape(VectorOperators.S2I, I, 0);
        return h.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    /** dst[dOff + i] = bfloat16 value of src[sOff + i], i &lt; n; the tail in scalar. */
    static void widenBf16(short[] src, int sOff, float[] dst, int dOff, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) bf16(src, sOff + i).intoArray(dst, dOff + i);
        for (; i < n; i++) dst[dOff + i] = HalfFloats.bf16ToFloat(src[sOff + i]);
    }
}
