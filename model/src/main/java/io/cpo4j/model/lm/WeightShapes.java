package io.cpo4j.model.lm;

import io.cpo4j.engine.DType;
import io.cpo4j.engine.Shape;
import io.cpo4j.engine.nn.FrozenWeights;
import io.cpo4j.engine.nn.Parameters;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A family's weights by name and shape, in declaration order, before anything is allocated: built
 * either as trainable float32 {@link Parameters} or as a frozen base ({@link FrozenWeights}) whose
 * matrices (linear weights, embedding tables: rank 2) are half precision while the vectors that
 * norms and biases read stay float32, as PEFT's bf16 base keeps its norms' inputs in float32.
 */
public final class WeightShapes {

    private final Map<String, int[]> shapes = new LinkedHashMap<>();

    public WeightShapes add(String name, int... shape) {
        if (shapes.containsKey(name)) throw new IllegalArgumentException("weights: duplicate name '" + name + "'");
        Shape.numel(shape);
        shapes.put(name, shape.clone());
        return this;
    }

    /** Trainable float32 parameters, zero. */
    public Parameters parameters() {
        Parameters.Builder b = Parameters.builder();
        shapes.forEach(b::add);
        return b.build();
    }

    /** Frozen weights, zero: matrices in {@code dtype} (BF16 or F16), vectors in float32. */
    public FrozenWeights frozen(DType dtype) {
        return frozenBuilder(dtype).build();
    }

    /** Bytes {@link #frozen} would hold: 2 per matrix element, 4 per vector element. */
    public long frozenBytes(DType dtype) {
        return frozenBuilder(dtype).bytes();
    }

    /** Number of elements. */
    public long count() {
        long n = 0;
        for (int[] s : shapes.values()) n += Shape.numel(s);
        return n;
    }

    private FrozenWeights.Builder frozenBuilder(DType dtype) {
        FrozenWeights.Builder b = FrozenWeights.builder(dtype);
        shapes.forEach((name, shape) -> {
            if (shape.length >= 2) b.add(name, shape);
            else b.addFloat32(name, shape);
        });
        return b;
    }
}
