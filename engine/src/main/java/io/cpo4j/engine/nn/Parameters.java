package io.cpo4j.engine.nn;

import io.cpo4j.engine.Shape;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.kernels.Elementwise;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's trainable tensors laid end to end in one flat value buffer and one flat gradient
 * buffer, as llm.c does: optimizers, clipping, checkpointing and gradient averaging across
 * workers all work on the flat arrays in one pass. Declare every tensor with a {@link Builder},
 * then look them up by name.
 */
public final class Parameters {

    private final float[] values;
    private final float[] grads;
    private final Map<String, Tensor> byName;
    private final List<Tensor> ordered;
    private final int[] offsets;

    private Parameters(Builder b) {
        long total = 0;
        for (int[] s : b.shapes.values()) total += Shape.numel(s);
        if (total > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("parameters: " + total + " floats exceed one Java array (2^31)");
        }
        values = new float[(int) total];
        grads = new float[(int) total];
        byName = new LinkedHashMap<>();
        ordered = new ArrayList<>();
        offsets = new int[b.shapes.size()];
        int off = 0, i = 0;
        for (Map.Entry<String, int[]> e : b.shapes.entrySet()) {
            Tensor t = Tensor.backedBy(values, off, grads, off, e.getValue()).named(e.getKey()).requiresGrad(true);
            byName.put(e.getKey(), t);
            ordered.add(t);
            offsets[i++] = off;
            off += t.size();
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Declares parameters in order; names must be unique. */
    public static final class Builder {
        private final Map<String, int[]> shapes = new LinkedHashMap<>();

        public Builder add(String name, int... shape) {
            if (shapes.containsKey(name)) throw new IllegalArgumentException("parameters: duplicate name '" + name + "'");
            Shape.numel(shape);
            shapes.put(name, shape.clone());
            return this;
        }

        public Parameters build() {
            return new Parameters(this);
        }
    }

    /** The tensor called {@code name}; an error lists what exists when it is missing. */
    public Tensor get(String name) {
        Tensor t = byName.get(name);
        if (t == null) throw new IllegalArgumentException("no parameter named '" + name + "' (have " + byName.keySet() + ")");
        return t;
    }

    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    /** All tensors in declaration order. */
    public List<Tensor> list() {
        return Collections.unmodifiableList(ordered);
    }

    /** Offset of the i-th tensor (declaration order) in the flat buffers. */
    public int offset(int i) {
        return offsets[i];
    }

    /** The flat value buffer (shared with every tensor). */
    public float[] values() {
        return values;
    }

    /** The flat gradient buffer (shared with every tensor's gradient). */
    public float[] grads() {
        return grads;
    }

    /** Total number of floats. */
    public int count() {
        return values.length;
    }

    public void zeroGrad() {
        Elementwise.fill(0f, grads, 0, grads.length);
    }
}
