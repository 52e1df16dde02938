package io.cpo4j.engine.optim;

import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.kernels.AdamWKernel;
import io.cpo4j.engine.nn.Parameters;

import java.util.List;

/**
 * AdamW as PyTorch's {@code torch.optim.AdamW}: decoupled weight decay, applied (as nanoGPT and
 * llm.c do) only to tensors of two or more dimensions — matrices and embeddings, not biases or
 * layernorm gains. Moments live in flat buffers parallel to the parameters'.
 */
public final class AdamW {

    private final Parameters params;
    private final float beta1, beta2, eps, weightDecay;
    private final float[] m, v;
    private long step;

    public AdamW(Parameters params, float beta1, float beta2, float eps, float weightDecay) {
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("AdamW: betas must be in [0, 1), got " + beta1 + ", " + beta2);
        }
        if (!(eps > 0) || !(weightDecay >= 0)) throw new IllegalArgumentException("AdamW: eps must be > 0 and weight decay >= 0");
        this.params = params;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.m = new float[params.count()];
        this.v = new float[params.count()];
    }

    /** PyTorch's defaults for GPT training as in nanoGPT: betas (0.9, 0.95), eps 1e-8, weight decay 0.1. */
    public static AdamW gptDefaults(Parameters params) {
        return new AdamW(params, 0.9f, 0.95f, 1e-8f, 0.1f);
    }

    /** One update with learning rate {@code lr}, from the gradients currently in the buffers. */
    public void step(float lr) {
        step(lr, 1f);
    }

    /**
     * One update from the gradients times {@code gradScale}, as after scaling them in place (the
     * same numbers; the gradient buffers are left as they are): global-norm clipping folded into
     * the update, one pass less over the gradients. See {@link GradClip#coefficient}.
     */
    public void step(float lr, float gradScale) {
        step++;
        List<Tensor> list = params.list();
        // Tensors lie end to end: each run of trainable neighbours with the same decay is one update.
        for (int i = 0; i < list.size(); ) {
            Tensor t = list.get(i);
            if (!t.requiresGrad()) {
                i++;
                continue;
            }
            float wd = decayOf(t);
            int end = i + 1;
            while (end < list.size() && list.get(end).requiresGrad() && decayOf(list.get(end)) == wd) end++;
            int from = params.offset(i), to = params.offset(end - 1) + list.get(end - 1).size();
            AdamWKernel.update(params.values(), params.grads(), m, v, from, to - from, gradScale, lr, beta1, beta2, eps, wd, step);
            i = end;
        }
    }

    /** Weight decay applies to matrices and embeddings only. */
    private float decayOf(Tensor t) {
        return t.rank() >= 2 ? weightDecay : 0f;
    }

    /** Number of steps taken. */
    public long steps() {
        return step;
    }

    /** First moments (flat, parallel to the parameters); for checkpoints. */
    public float[] firstMoments() {
        return m;
    }

    /** Second moments (flat, parallel to the parameters); for checkpoints. */
    public float[] secondMoments() {
        return v;
    }

    /** Restores the step count (moments are restored by writing into their arrays). */
    public void setSteps(long steps) {
        this.step = steps;
    }
}
