package io.cpo4j.model.lm;

import io.cpo4j.engine.DType;
import io.cpo4j.engine.Shape;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.kernels.HalfFloats;

import java.util.Arrays;
import java.util.List;

/** Copies a model's weights into another of the same shape, whatever either stores: float32, bf16 or f16. */
public final class WeightValues {

    private WeightValues() {}

    /** Each tensor of {@code to} gets the values of the same-named tensor of {@code from}: widened, rounded (to nearest even) or copied. */
    public static void copy(List<Tensor> from, List<Tensor> to) {
        if (from.size() != to.size()) throw new IllegalArgumentException("weights: " + from.size() + " tensors into " + to.size());
        for (int i = 0; i < from.size(); i++) {
            Tensor src = from.get(i), dst = to.get(i);
            if (!src.name().equals(dst.name()) || !Arrays.equals(src.shape(), dst.shape())) {
                throw new IllegalArgumentException("weights: " + src.name() + " " + Shape.str(src.shape()) + " into " + dst.name() + " " + Shape.str(dst.shape()));
            }
            if (dst.isHalf() && src.dtype() == dst.dtype()) {
                System.arraycopy(src.halfData(), src.offset(), dst.halfData(), dst.offset(), src.size());
            } else if (dst.isHalf()) {
                HalfFloats.narrow(src.toArray(), 0, dst.halfData(), dst.offset(), src.size(), dst.dtype() == DType.BF16);
            } else {
                System.arraycopy(src.toArray(), 0, dst.data(), dst.offset(), src.size());
            }
        }
    }
}
