package io.cpo4j.engine.nn;

import io.cpo4j.engine.DType;
import io.cpo4j.engine.Shape;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.kernels.HalfFloats;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A frozen base model's tensors, the large ones in half precision (bfloat16 or float16): half the
 * bytes of float32 and no gradient buffers, as PEFT's base loaded with {@code torch_dtype=bfloat16}.
 * Unlike {@link Parameters} there is no flat buffer: each tensor has its own array (fewer than 2^31
 * elements each), so the total may exceed 2^31 (GPT2-XL, OpenLLaMA-3B). The kernels widen the half
 * values as they read them; see {@link Tensor#frozenHalf} for which ops take them. Small tensors that
 * other ops read (norm weights, biases) can be kept in float32 ({@link Builder#addFloat32}), frozen too.
 * Values start at zero; fill them with {@link #set} or {@link #setBits}.
 */
public final class FrozenWeights {

    private final DType dtype;
    private final Map<String, Tensor> byName = new LinkedHashMap<>();
    private final List<Tensor> ordered = new ArrayList<>();
    private final long count;
    private final long bytes;

    private FrozenWeights(Builder b) {
        this.dtype = b.dtype;
        for (Map.Entry<String, int[]> e : b.shapes.entrySet()) {
            int[] shape = e.getValue();
            int n = Shape.numel(shape);
            Tensor t = b.float32.contains(e.getKey())
                    ? Tensor.zeros(shape)
                    : Tensor.frozenHalf(new short[n], 0, dtype, shape);
            t.named(e.getKey());
            byName.put(e.getKey(), t);
            ordered.add(t);
        }
        this.count = b.count();
        this.bytes = b.bytes();
    }

    /** A builder whose {@link Builder#add} tensors are stored in {@code dtype} (BF16 or F16). */
    public static Builder builder(DType dtype) {
        if (!dtype.isHalf()) throw new IllegalArgumentException("frozen weights: dtype must be BF16 or F16, got " + dtype);
        return new Builder(dtype);
    }

    /**
     * The values of {@code params} frozen: tensors whose name {@code inHalf} accepts rounded to
     * {@code dtype} (to nearest, ties to even), the others copied in float32.
     */
    public static FrozenWeights of(Parameters params, DType dtype, Predicate<String> inHalf) {
        Builder b = builder(dtype);
        for (Tensor t : params.list()) {
            if (inHalf.test(t.name())) b.add(t.name(), t.shape());
            else b.addFloat32(t.name(), t.shape());
        }
        FrozenWeights frozen = b.build();
        for (Tensor t : params.list()) frozen.set(t.name(), t.toArray());
        return frozen;
    }

    /** Declares tensors in order; names must be unique. */
    public static final class Builder {
        private final DType dtype;
        private final Map<String, int[]> shapes = new LinkedHashMap<>();
        private final java.util.Set<String> float32 = new java.util.HashSet<>();

        private Builder(DType dtype) {
            this.dtype = dtype;
        }

        /** A tensor held in the builder's half-precision dtype (a weight matrix, an embedding table). */
        public Builder add(String name, int... shape) {
            declare(name, shape);
            return this;
        }

        /** A tensor held in float32, frozen: one that ops other than linear and embedding read (a norm weight, a bias). */
        public Builder addFloat32(String name, int... shape) {
            declare(name, shape);
            float32.add(name);
            return this;
        }

        private void declare(String name, int[] shape) {
            if (shapes.containsKey(name)) throw new IllegalArgumentException("frozen weights: duplicate name '" + name + "'");
            Shape.numel(shape);
            shapes.put(name, shape.clone());
        }

        /** Elements declared so far (may exceed 2^31). */
        public long count() {
            long n = 0;
            for (int[] s : shapes.values()) n += Shape.numel(s);
            return n;
        }

        /** Bytes the declared tensors will take: 2 per half-precision element, 4 per float32 one. */
        public long bytes() {
            long n = 0;
            for (Map.Entry<String, int[]> e : shapes.entrySet()) {
                n += (long) Shape.numel(e.getValue()) * (float32.contains(e.getKey()) ? 4 : dtype.bytes());
            }
            return n;
        }

        public FrozenWeights build() {
            return new FrozenWeights(this);
        }
    }

    /** The dtype of the half-precision tensors. */
    public DType dtype() {
        return dtype;
    }

    /** The tensor called {@code name}; an error lists what exists when it is missing. */
    public Tensor get(String name) {
        Tensor t = byName.get(name);
        if (t == null) throw new IllegalArgumentException("no frozen weight named '" + name + "' (have " + byName.keySet() + ")");
        return t;
    }

    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    /** All tensors in declaration order. */
    public List<Tensor> list() {
        return Collections.unmodifiableList(ordered);
    }

    /** Total number of elements (may exceed 2^31). */
    public long count() {
        return count;
    }

    /** Bytes of storage held: 2 per half-precision element, 4 per float32 one. */
    public long bytes() {
        return bytes;
    }

    /** Sets the tensor called {@code name} from float32 values (row-major), rounding to nearest even for a half tensor. */
    public void set(String name, float[] values) {
        Tensor t = get(name);
        if (values.length != t.size()) {
            throw new IllegalArgumentException("frozen weight '" + name + "' of shape " + Shape.str(t.shape()) + " needs " + t.size() + " values, got " + values.length);
        }
        if (t.isHalf()) HalfFloats.narrow(values, 0, t.halfData(), t.offset(), values.length, dtype == DType.BF16);
        else System.arraycopy(values, 0, t.data(), t.offset(), values.length);
    }

    /** Sets a half-precision tensor from bits already in its dtype (as a BF16 or F16 safetensors file stores them). */
    public void setBits(String name, short[] bits) {
        Tensor t = get(name);
        if (!t.isHalf()) throw new IllegalArgumentException("frozen weight '" + name + "' is held in float32; set it with set()");
        if (bits.length != t.size()) {
            throw new IllegalArgumentException("frozen weight '" + name + "' of shape " + Shape.str(t.shape()) + " needs " + t.size() + " values, got " + bits.length);
        }
        System.arraycopy(bits, 0, t.halfData(), t.offset(), bits.length);
    }
}
