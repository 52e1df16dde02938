package io.cpo4j.engine.kernels;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** float32 ↔ bfloat16 / float16 conversions: edge values, ties to even, and the vector widening against the scalar one. */
class HalfFloatsTest {

    private static short bf16(float x) {
        return HalfFloats.floatToBf16(x);
    }

    private static float bits(int b) {
        return Float.intBitsToFloat(b);
    }

    @Test
    void bf16RoundsToNearestTiesToEven() {
        assertThat(bf16(1f)).isEqualTo((short) 0x3F80);
        assertThat(bf16(bits(0x3F808000))).as("halfway, even below: down").isEqualTo((short) 0x3F80);
        assertThat(bf16(bits(0x3F818000))).as("halfway, odd below: up").isEqualTo((short) 0x3F82);
        assertThat(bf16(bits(0x3F808001))).as("past halfway: up").isEqualTo((short) 0x3F81);
        assertThat(bf16(bits(0x3F807FFF))).as("below halfway: down").isEqualTo((short) 0x3F80);
        assertThat(bf16(bits(0xBF818000))).as("negative ties like positive").isEqualTo((short) 0xBF82);
        assertThat(bf16(bits(0x7F7FFFFF))).as("float max rounds to infinity").isEqualTo((short) 0x7F80);
        assertThat(bf16(bits(0x7F7F7FFF))).as("just below: largest finite bf16").isEqualTo((short) 0x7F7F);
        assertThat(bf16(Float.POSITIVE_INFINITY)).isEqualTo((short) 0x7F80);
        assertThat(bf16(Float.NEGATIVE_INFINITY)).isEqualTo((short) 0xFF80);
        assertThat(bf16(-0f)).isEqualTo((short) 0x8000);
        assertThat(bf16(bits(0x00008000))).as("subnormal tie, even below: zero").isEqualTo((short) 0x0000);
        assertThat(bf16(bits(0x00018000))).as("subnormal tie, odd below: up").isEqualTo((short) 0x0002);
        assertThat(bf16(bits(0x007FFFFF))).as("largest subnormal rounds up to the smallest normal").isEqualTo((short) 0x0080);
        for (int nan : new int[] {0x7FC00000, 0x7F800001, 0xFFC00001, 0x7FFFFFFF, 0xFF800001}) {
            assertThat(bf16(bits(nan))).as("NaN %x → PyTorch's canonical NaN", nan).isEqualTo((short) 0x7FC0);
        }
    }

    /** Against a reference built without bit tricks: the nearer of the two bf16 neighbours (by truncation), the even one on a tie. */
    @Test
    void bf16MatchesNearestNeighbourOnRandomBitPatterns() {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(5);
        for (int t = 0; t < 200_000; t++) {
            float x = bits(rng.nextInt());
            if (Float.isNaN(x) || Float.isInfinite(x)) continue;
            int low = Float.floatToRawIntBits(x) >>> 16, high = low + 1;              // same sign: truncation, and one step away from zero
            double dl = Math.abs((double) x - HalfFloats.bf16ToFloat((short) low));
            // one step past the largest finite value is the pattern of infinity, at the place of 2^128 (IEEE 754's overflow rule)
            double highValue = (high & 0x7FFF) == 0x7F80 ? Math.copySign(0x1p128, x) : HalfFloats.bf16ToFloat((short) high);
            double dh = Math.abs(highValue - x);
            int expect = dl < dh ? low : dh < dl ? high : ((low & 1) == 0 ? low : high);
            assertThat(bf16(x) & 0xFFFF).as("x = %s (bits %x)", x, Float.floatToRawIntBits(x)).isEqualTo(expect & 0xFFFF);
        }
    }

    @Test
    void everyBf16PatternWidensAndNarrowsBackToItself() {
        for (int b = 0; b < 1 << 16; b++) {
            short bits = (short) b;
            float f = HalfFloats.bf16ToFloat(bits);
            assertThat(Float.floatToRawIntBits(f)).isEqualTo(b << 16);
            if (Float.isNaN(f)) assertThat(bf16(f)).isEqualTo((short) 0x7FC0);
            else assertThat(bf16(f)).as("pattern %x", b).isEqualTo(bits);
        }
    }

    @Test
    void f16EdgeValues() {
        assertThat(HalfFloats.fromFloat(65504f, false)).as("largest finite").isEqualTo((short) 0x7BFF);
        assertThat(HalfFloats.fromFloat(65520f, false)).as("halfway to the next power: infinity (even)").isEqualTo((short) 0x7C00);
        assertThat(HalfFloats.fromFloat(0x1p-24f, false)).as("smallest subnormal").isEqualTo((short) 0x0001);
        assertThat(HalfFloats.fromFloat(0x1p-25f, false)).as("half the smallest subnormal: tie to zero").isEqualTo((short) 0x0000);
        assertThat(HalfFloats.fromFloat(0x1.8p-24f, false)).as("1.5 × smallest subnormal: tie to 2").isEqualTo((short) 0x0002);
        assertThat(HalfFloats.fromFloat(1f + 0x1p-11f, false)).as("tie at 1: even, down").isEqualTo((short) 0x3C00);
        assertThat(HalfFloats.fromFloat(1f + 3 * 0x1p-11f, false)).as("tie: even, up").isEqualTo((short) 0x3C02);
        assertThat(HalfFloats.toFloat((short) 0x0001, false)).isEqualTo(0x1p-24f);
        assertThat(HalfFloats.toFloat((short) 0xFC00, false)).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(HalfFloats.toFloat((short) 0x7E00, false)).isNaN();
    }

    @Test
    void everyF16PatternWidensAndNarrowsBackToItself() {
        for (int b = 0; b < 1 << 16; b++) {
            float f = HalfFloats.toFloat((short) b, false);
            if (!Float.isNaN(f)) assertThat(HalfFloats.fromFloat(f, false)).as("pattern %x", b).isEqualTo((short) b);
        }
    }

    /** widen gives each of the 65536 patterns of both formats the scalar value, bit for bit (NaN: a NaN): for bfloat16, the vector path. */
    @Test
    void vectorWideningEqualsScalarOnEveryPattern() {
        short[] all = new short[(1 << 16) + 7];                               // + an odd tail
        for (int i = 0; i < all.length; i++) all[i] = (short) i;
        for (boolean bf16 : new boolean[] {true, false}) {
            float[] vec = new float[all.length], sc = new float[all.length];
            HalfFloats.widen(all, 0, vec, 0, all.length, bf16);
            HalfFloats.widenScalar(all, 0, sc, 0, all.length, bf16);
            for (int i = 0; i < all.length; i++) {
                if (Float.isNaN(sc[i])) assertThat(vec[i]).as("%s pattern %x", bf16 ? "bf16" : "f16", i & 0xFFFF).isNaN();
                else assertThat(Float.floatToRawIntBits(vec[i])).as("%s pattern %x", bf16 ? "bf16" : "f16", i & 0xFFFF)
                        .isEqualTo(Float.floatToRawIntBits(sc[i]));
            }
            float[] offset = new float[40];
            HalfFloats.widen(all, 0x3C00 + 3, offset, 5, 33, bf16);
            for (int i = 0; i < 33; i++) assertThat(offset[5 + i]).isEqualTo(HalfFloats.toFloat((short) (0x3C00 + 3 + i), bf16));
        }
    }

    @Test
    void narrowRoundTripsAnArray() {
        float[] x = Twins.randn(3, 1001);
        for (boolean bf16 : new boolean[] {true, false}) {
            short[] h = new short[x.length];
            HalfFloats.narrow(x, 0, h, 0, x.length, bf16);
            float[] back = new float[x.length];
            HalfFloats.widen(h, 0, back, 0, x.length, bf16);
            double rel = bf16 ? 0x1p-8 : 0x1p-11;                              // half a unit in the last place
            for (int i = 0; i < x.length; i++) {
                assertThat((double) Math.abs(back[i] - x[i])).as("%d", i).isLessThanOrEqualTo(rel * Math.abs(x[i]) + 0x1p-24);
                assertThat(HalfFloats.fromFloat(back[i], bf16)).isEqualTo(h[i]);
            }
        }
    }
}
