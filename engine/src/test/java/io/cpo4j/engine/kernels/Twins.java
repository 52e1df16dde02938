package io.cpo4j.engine.kernels;

import io.cpo4j.engine.Rng;

import static org.assertj.core.api.Assertions.assertThat;

/** Helpers for comparing a vector kernel with its scalar twin. */
final class Twins {

    /** Relative tolerance between twins. */
    static final double REL = 1e-5;

    private Twins() {}

    static float[] randn(long seed, int n) {
        Rng rng = new Rng(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) rng.nextGaussian();
        return x;
    }

    static float[] uniform(long seed, int n, float lo, float hi) {
        Rng rng = new Rng(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = lo + (hi - lo) * rng.nextFloat();
        return x;
    }

    /**
     * Element-wise |vec − scalar| ≤ REL · max(|scalar|, rms(scalar)): relative where values are
     * large, and relative to the array's own scale where a value cancels to nearly zero.
     */
    static void assertTwins(String what, float[] vec, float[] scalar) {
        assertThat(vec).as(what + ": length").hasSameSizeAs(scalar);
        double ss = 0;
        for (float s : scalar) ss += (double) s * s;
        double rms = Math.sqrt(ss / Math.max(1, scalar.length));
        for (int i = 0; i < vec.length; i++) {
            double tol = REL * Math.max(Math.abs(scalar[i]), rms) + 1e-30;
            assertThat((double) Math.abs(vec[i] - scalar[i]))
                    .as("%s: element %d, vector %s vs scalar %s", what, i, vec[i], scalar[i])
                    .isLessThanOrEqualTo(tol);
        }
    }
}
