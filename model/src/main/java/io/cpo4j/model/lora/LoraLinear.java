package io.cpo4j.model.lora;

import io.cpo4j.engine.Rng;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.ops.F;

/**
 * The adapter of one projection, as PEFT's {@code lora.Linear}: A (r, in) and B (out, r), added to
 * the frozen projection's output scaled by {@code alpha / r}.
 */
public record LoraLinear(Tensor a, Tensor b, float scale, float dropout) {

    /**
     * y + scale · B A dropout(x), for the base projection's output y (…, out) of x (…, in); dropout
     * only while training, with masks from {@code rng}.
     */
    public Tensor addTo(Tensor y, Tensor x, boolean training, Rng rng) {
        Tensor in = training && dropout > 0f ? F.dropout(x, dropout, rng) : x;
        Tensor down = F.linear(in, a, null);                                   // (…, r)
        return F.add(y, F.scale(F.linear(down, b, null), scale));              // (…, out)
    }

    /** W (out, in) += scale · B A: the merged weight, each delta element summed in double. */
    void mergeInto(Tensor weight) {
        int out = b.size(0), r = b.size(1), in = a.size(1);
        float[] w = weight.data(), av = a.data(), bv = b.data();
        int wo = weight.offset(), ao = a.offset(), bo = b.offset();
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                double sum = 0;
                for (int k = 0; k < r; k++) sum += (double) bv[bo + o * r + k] * av[ao + k * in + i];
                w[wo + o * in + i] += (float) (sum * scale);
            }
        }
    }
}
