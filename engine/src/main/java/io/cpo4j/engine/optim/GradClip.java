package io.cpo4j.engine.optim;

import io.cpo4j.engine.kernels.Elementwise;
import io.cpo4j.engine.nn.Parameters;

/** Global-norm gradient clipping, as PyTorch's {@code clip_grad_norm_}. */
public final class GradClip {

    private GradClip() {}

    /** The L2 norm of all gradients together (double accumulation, fixed order). */
    public static double norm(Parameters params) {
        return Math.sqrt(Elementwise.sumOfSquares(params.grads(), 0, params.count()));
    }

    /**
     * Scales all gradients by {@code maxNorm / (norm + 1e-6)} when the norm exceeds {@code maxNorm};
     * returns the norm before clipping (NaN or infinite when a gradient is).
     */
    public static double clip(Parameters params, double maxNorm) {
        double norm = norm(params);
        float coef = coefficient(norm, maxNorm);
        if (coef != 1f) {
            float[] g = params.grads();
            Elementwise.scale(coef, g, 0, g, 0, g.length);
        }
        return norm;
    }

    /**
     * The factor {@link #clip} scales the gradients by, given their norm: {@code maxNorm / (norm + 1e-6)}
     * when that is below 1, else 1. Pass it to {@link AdamW#step(float, float)} to clip without a
     * pass of its own.
     */
    public static float coefficient(double norm, double maxNorm) {
        double coef = maxNorm / (norm + 1e-6);
        return coef < 1.0 ? (float) coef : 1f;
    }
}
