package io.cpo4j.spark.ring;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RingAllReduceTest {

    static final Duration TIMEOUT = Duration.ofSeconds(10);

    static Stream<Arguments> sizesAndLengths() {
        Set<List<Integer>> cases = new LinkedHashSet<>(); // N − 1 is 0 or 1 for small N
        for (int n = 1; n <= 4; n++)
            for (int length : new int[] {0, 1, n - 1, 1000, 1_000_003}) cases.add(List.of(n, length));
        return cases.stream().map(c -> Arguments.of(c.get(0), c.get(1)));
    }

    @ParameterizedTest(name = "N = {0}, length {1}")
    @MethodSource("sizesAndLengths")
    void sumIsTheRingOrderSumOnEveryMemberAndRepeats(int n, int length) throws Exception {
        float[][] inputs = inputs(n, length);
        try (Rings rings = Rings.join(n, TIMEOUT, Ring.SEGMENT_FLOATS)) {
            List<float[]> first = rings.onEach(r -> { float[] d = inputs[r.rank()].clone(); r.allReduceSum(d); return d; });
            List<float[]> second = rings.onEach(r -> { float[] d = inputs[r.rank()].clone(); r.allReduceSum(d); return d; });
            List<float[]> mean = rings.onEach(r -> { float[] d = inputs[r.rank()].clone(); r.allReduceMean(d); return d; });

            float[] ringOrder = ringOrderSum(inputs);
            int worst = -1;
            double worstExcess = 0;
            for (int i = 0; i < length; i++) {
                double exact = 0, magnitude = 0;
                for (float[] x : inputs) { exact += x[i]; magnitude += Math.abs(x[i]); }
                double excess = Math.abs(first.get(0)[i] - exact) - 1.2e-7 * (n - 1) * magnitude; // float sum error bound
                if (excess > worstExcess) { worstExcess = excess; worst = i; }
            }
            assertThat(worst).as("element beyond the float error bound of the double-precision sum").isEqualTo(-1);
            float[] expectedMean = new float[length];
            for (int i = 0; i < length; i++) expectedMean[i] = ringOrder[i] / n;
            for (int r = 0; r < n; r++) {
                assertThat(bits(first.get(r))).as("rank %d sum, against the documented order", r).isEqualTo(bits(ringOrder));
                assertThat(bits(second.get(r))).as("rank %d second run", r).isEqualTo(bits(first.get(0)));
                assertThat(bits(mean.get(r))).as("rank %d mean", r).isEqualTo(bits(expectedMean));
            }
        }
    }

    @Test
    void segmentSizeDoesNotChangeTheBits() throws Exception {
        float[][] inputs = inputs(3, 1000);
        List<float[]> bySegment = new ArrayList<>();
        for (int segment : new int[] {1, 7, 334, Ring.SEGMENT_FLOATS}) {
            try (Rings rings = Rings.join(3, TIMEOUT, segment)) {
                bySegment.add(rings.onEach(r -> { float[] d = inputs[r.rank()].clone(); r.allReduceSum(d); return d; }).get(1));
            }
        }
        for (float[] result : bySegment) assertThat(bits(result)).isEqualTo(bits(ringOrderSum(inputs)));
    }

    @Test
    void aSumOfOneIsTheInputAndSendsNothing() throws Exception {
        float[] data = inputs(1, 17)[0], original = data.clone();
        try (Ring ring = Ring.single()) {
            ring.allReduceSum(data);
            ring.allReduceMean(data);
            assertThat(bits(data)).isEqualTo(bits(original));
            assertThat(ring.size()).isEqualTo(1);
            assertThat(ring.bytesSent()).isZero();
        }
    }

    @Test
    void bytesSentAreTheRingShareAndAHeader() throws Exception {
        try (Rings rings = Rings.join(2, TIMEOUT, Ring.SEGMENT_FLOATS)) {
            rings.onEach(r -> { r.allReduceSum(new float[1000]); return null; });
            for (Ring r : rings.members) {
                // 2(N − 1)/N of 4000 bytes, plus the 24-byte operation header
                assertThat(r.bytesSent()).isEqualTo(4000 + 24);
                assertThat(r.commSeconds()).isPositive();
            }
        }
    }

    /** Rank r's input: Gaussians of magnitudes 1e-3 to 1e3, so that the summation order shows in the bits. */
    static float[][] inputs(int n, int length) {
        float[][] x = new float[n][length];
        for (int r = 0; r < n; r++) {
            Random random = new Random(31L * r + length);
            for (int i = 0; i < length; i++) x[r][i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(7) - 3));
        }
        return x;
    }

    /** The documented order: chunk c summed along the ring from rank c, ((x_c + x_{c+1}) + x_{c+2}) + …, in float. */
    static float[] ringOrderSum(float[][] x) {
        int n = x.length, length = x[0].length;
        float[] sum = new float[length];
        for (int c = 0; c < n; c++) {
            for (int i = (int) ((long) c * length / n); i < (int) ((long) (c + 1) * length / n); i++) {
                float s = x[c][i];
                for (int k = 1; k < n; k++) s += x[(c + k) % n][i];
                sum[i] = s;
            }
        }
        return sum;
    }

    static int[] bits(float[] a) {
        int[] b = new int[a.length];
        for (int i = 0; i < a.length; i++) b[i] = Float.floatToRawIntBits(a[i]);
        return b;
    }
}
