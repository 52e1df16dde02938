package io.cpo4j.cpo.train;

import io.cpo4j.model.lm.LanguageModel;

/**
 * A weight-space ensemble of two checkpoints of one architecture (a "model soup"):
 * θ = (1 − α)·θ_a + α·θ_b, element by element. α = 0 gives θ_a and α = 1 gives θ_b exactly.
 */
public final class WeightEnsemble {

    private WeightEnsemble() {}

    /**
     * The ensemble of a and b; a model with LoRA adapters takes part with its merged weights W +
     * (α/r)·B A, a half-precision base with its values widened.
     */
    public static LanguageModel interpolate(LanguageModel a, LanguageModel b, float alpha) {
        a = a.mergeAndUnload();
        b = b.mergeAndUnload();
        if (a.baseDType().isHalf()) a = a.toFloat32();
        if (b.baseDType().isHalf()) b = b.toFloat32();
        if (!a.config().equals(b.config())) {
            throw new IllegalArgumentException("ensemble: the two models differ in shape: " + a.config() + " vs " + b.config());
        }
        if (!(alpha >= 0 && alpha <= 1)) throw new IllegalArgumentException("ensemble: alpha must be in [0, 1], got " + alpha);
        LanguageModel out = a.config().allocate(0);
        float[] x = a.parameters().values(), y = b.parameters().values(), z = out.parameters().values();
        float keep = 1f - alpha;
        for (int i = 0; i < z.length; i++) z[i] = keep * x[i] + alpha * y[i];
        return out;
    }
}
