package io.cpo4j.engine.ops;

import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.Rng;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.internal.Outputs;
import io.cpo4j.engine.kernels.Elementwise;

/**
 * Inverted dropout: each element is kept with probability 1 − p and scaled by 1/(1 − p). The mask
 * comes from one draw of the caller's generator hashed with the element index, so it is the same
 * for any thread count and replays exactly from a saved generator state.
 */
final class Dropout {

    private Dropout() {}

    static Tensor forward(Tensor x, float p, Rng rng) {
        if (!(p >= 0f && p < 1f)) throw new IllegalArgumentException("dropout: p must be in [0, 1), got " + p);
        if (p == 0f) return x;
        long seed = rng.nextLong();
        float keepScale = 1f / (1f - p);
        float[] mask = new float[x.size()];
        for (int i = 0; i < mask.length; i++) {
            float u = (Rng.mix(seed + (long) i * 0x9E3779B97F4A7C15L) >>> 40) * 0x1.0p-24f;
            mask[i] = u < p ? 0f : keepScale;
        }
        Tensor xv = Operands.rowMajor(x);
        Tensor result = Outputs.allocate(x.shape(), false);
        Elementwise.binary(Elementwise.Op.MUL, xv.data(), xv.offset(), mask, 0, result.data(), 0, mask.length);
        return Autograd.record("dropout", result, () -> {
            if (x.requiresGrad()) Elementwise.mulAdd(result.gradBuffer(), result.gradOffset(), mask, 0, x.gradBuffer(), x.gradOffset(), x.size());
        }, x);
    }
}
