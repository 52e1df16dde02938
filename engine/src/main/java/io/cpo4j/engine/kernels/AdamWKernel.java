package io.cpo4j.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * One AdamW step over a flat range of parameters, in PyTorch's order of operations: decoupled
 * decay {@code p ·= 1 − lr·wd}; moments {@code m = β₁m + (1−β₁)g}, {@code v = β₂v + (1−β₂)g²};
 * {@code p −= lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + eps)}.
 */
public final class AdamWKernel {

    private AdamWKernel() {}

    /** Updates p, m, v in [off, off+n); g is read at the same offsets. step counts from 1. */
    public static void update(float[] p, float[] g, float[] m, float[] v, int off, int n,
                              float lr, float beta1, float beta2, float eps, float weightDecay, long step) {
        update(p, g, m, v, off, n, 1f, lr, beta1, beta2, eps, weightDecay, step);
    }

    /**
     * As {@link #update(float[], float[], float[], float[], int, int, float, float, float, float, float, long)},
     * with each gradient multiplied by {@code gradScale} as it is read: clipping folded into the
     * update, the same numbers as scaling g first, one pass less over it.
     */
    public static void update(float[] p, float[] g, float[] m, float[] v, int off, int n, float gradScale,
                              float lr, float beta1, float beta2, float eps, float weightDecay, long step) {
        float decay = 1f - lr * weightDecay;
        float bc1 = (float) (1 - Math.pow(beta1, step));
        float bc2sqrt = (float) Math.sqrt(1 - Math.pow(beta2, step));
        float stepSize = lr / bc1;
        Parallel.forChunks(n, Elementwise.PARALLEL_GRAIN, (from, to) -> {
            if (Simd.ENABLED) Vec.update(p, g, m, v, off + from, to - from, gradScale, decay, beta1, beta2, eps, stepSize, bc2sqrt);
            else updateScalar(p, g, m, v, off + from, to - from, gradScale, decay, beta1, beta2, eps, stepSize, bc2sqrt);
        });
    }

    public static void updateScalar(float[] p, float[] g, float[] m, float[] v, int off, int n, float gradScale,
                                    float decay, float beta1, float beta2, float eps, float stepSize, float bc2sqrt) {
        for (int i = off; i < off + n; i++) {
            float gi = g[i] * gradScale;
            float mi = beta1 * m[i] + (1f - beta1) * gi;
            float vi = beta2 * v[i] + gi * gi * (1f - beta2);
            m[i] = mi;
            v[i] = vi;
            p[i] = p[i] * decay - stepSize * mi / ((float) Math.sqrt(vi) / bc2sqrt + eps);
        }
    }

    static final class Vec {
        static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

        private Vec() {}

        static void update(float[] p, float[] g, float[] m, float[] v, int off, int n, float gradScale,
                           float decay, float beta1, float beta2, float eps, float stepSize, float bc2sqrt) {
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += S.length()) {
                int o = off + i;
                FloatVector gv = FloatVector.fromArray(S, g, o).mul(gradScale);
                FloatVector mv = FloatVector.fromArray(S, m, o).mul(beta1).add(gv.mul(1f - beta1));
                FloatVector vv = FloatVector.fromArray(S, v, o).mul(beta2).add(gv.mul(gv).mul(1f - beta2));
                mv.intoArray(m, o);
                vv.intoArray(v, o);
                FloatVector denom = vv.sqrt().div(bc2sqrt).add(eps);
                FloatVector pv = FloatVector.fromArray(S, p, o).mul(decay);
                pv.sub(mv.mul(stepSize).div(denom)).intoArray(p, o);
            }
            updateScalar(p, g, m, v, off + i, n - i, gradScale, decay, beta1, beta2, eps, stepSize, bc2sqrt);
        }
    }
}
