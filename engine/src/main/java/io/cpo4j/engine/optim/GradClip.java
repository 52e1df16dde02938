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
        double coef = maxNorm / (norm + 1e-6);
        if (coef < 1.0) {
            float[] g = params.grads();
            Elementwise.scale((float) coef, g, 0, g, 0, g.length);
        }
        return norm;
    }
}
