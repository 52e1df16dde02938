package io.cpo4j.engine.kernels;

/**
 * Conversions between float32 and the two 16-bit formats, bit patterns held in {@code short}s.
 * bfloat16 is the upper half of a float32: widening shifts it back ({@code bits << 16}, exact);
 * narrowing rounds to nearest, ties to even, and turns every NaN into the quiet NaN {@code 0x7FC0},
 * as PyTorch's {@code tensor.to(torch.bfloat16)}. IEEE half precision uses {@link Float#floatToFloat16} and
 * {@link Float#float16ToFloat} (round to nearest even; subnormals, infinities and NaN as IEEE 754).
 * Kernels take the format as {@code boolean bf16}: true for bfloat16, false for float16.
 */
public final class HalfFloats {

    private HalfFloats() {}

    /** The float32 value of bfloat16 bits. */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat(bits << 16);                // the sign-extended upper bits shift out
    }

    /** bfloat16 bits of x, rounded to nearest, ties to even; any NaN becomes 0x7FC0 (as PyTorch's c10::BFloat16). */
    public static short floatToBf16(float x) {
        int bits = Float.floatToRawIntBits(x);
        if ((bits & 0x7FFFFFFF) > 0x7F800000) return (short) 0x7FC0;
        int rounding = 0x7FFF + ((bits >>> 16) & 1);              // past halfway, or halfway with an odd last kept bit
        return (short) ((bits + rounding) >>> 16);
    }

    /** The float32 value of half-precision (or bfloat16) bits. */
    public static float toFloat(short bits, boolean bf16) {
        return bf16 ? bf16ToFloat(bits) : Float.float16ToFloat(bits);
    }

    /** Half-precision (or bfloat16) bits of x, rounded to nearest, ties to even. */
    public static short fromFloat(float x, boolean bf16) {
        return bf16 ? floatToBf16(x) : Float.floatToFloat16(x);
    }

    /** dst[dOff + i] = bits of src[sOff + i], i &lt; n. */
    public static void narrow(float[] src, int sOff, short[] dst, int dOff, int n, boolean bf16) {
        if (bf16) for (int i = 0; i < n; i++) dst[dOff + i] = floatToBf16(src[sOff + i]);
        else for (int i = 0; i < n; i++) dst[dOff + i] = Float.floatToFloat16(src[sOff + i]);
    }

    /**
     * dst[dOff + i] = value of src[sOff + i], i &lt; n: bfloat16 on the vector path when enabled;
     * float16 by the scalar loop, which C2 vectorizes itself (see {@link HalfVectors}).
     */
    public static void widen(short[] src, int sOff, float[] dst, int dOff, int n, boolean bf16) {
        if (Simd.ENABLED && bf16) HalfVectors.widenBf16(src, sOff, dst, dOff, n);
        else widenScalar(src, sOff, dst, dOff, n, bf16);
    }

    /** Scalar twin of {@link #widen}. */
    public static void widenScalar(short[] src, int sOff, float[] dst, int dOff, int n, boolean bf16) {
        if (bf16) widenBf16Scalar(src, sOff, dst, dOff, n);
        else widenF16Scalar(src, sOff, dst, dOff, n);
    }

    private static void widenBf16Scalar(short[] src, int sOff, float[] dst, int dOff, int n) {
        for (int i = 0; i < n; i++) dst[dOff + i] = bf16ToFloat(src[sOff + i]);
    }

    private static void widenF16Scalar(short[] src, int sOff, float[] dst, int dOff, int n) {
        for (int i = 0; i < n; i++) dst[dOff + i] = Float.float16ToFloat(src[sOff + i]);
    }
}
