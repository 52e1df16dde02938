package io.cpo4j.engine;

import io.cpo4j.engine.internal.Outputs;
import io.cpo4j.engine.kernels.HalfFloats;

import java.util.Arrays;

/**
 * A float32 tensor: row-major {@code float[]} storage, a shape, and its place in the autograd graph.
 *
 * <p>Storage is either contiguous row-major, or (after {@link #transpose()}) row-major with the
 * last two dimensions swapped; {@link #reshape}, {@link #slice} and {@link #transpose} return
 * views that share storage where they can. Gradients are always stored contiguous, in the
 * logical (unswapped) order, so an op never has to care how its inputs' gradients are laid out.
 *
 * <p>Autograd: a tensor that {@link #requiresGrad()} and was produced by an op remembers that op;
 * {@link #backward()} runs the ops in reverse order of recording, accumulating ({@code +=}) into
 * every gradient it reaches, then releases the graph. Leaves (parameters) keep their gradients
 * until {@link #zeroGrad()}.
 *
 * <p>The ops that compute live in {@code io.cpo4j.engine.ops.F} ({@code F.add(a, b)},
 * {@code F.matmul(a, b)}, {@code F.sum(x)}, ...); a tensor itself only changes how its storage
 * is viewed. A custom op records itself with {@link Autograd#record}.
 *
 * <p>A frozen weight may instead be held in half precision ({@link #frozenHalf}: bfloat16 or
 * float16 bits in a {@code short[]}, half the bytes). Such a tensor never requires grad; only
 * {@code F.linear}, {@code F.linears} and {@code F.embedding} read it, widening each value to
 * float32 inside their kernels; every other op refuses it, naming itself and the dtype.
 */
public final class Tensor {

    static {
        Outputs.install(Tensor::output);
    }

    /** float32 storage; null when the values are half precision. */
    private final float[] data;
    /** bfloat16 or float16 bits; null for float32. */
    private final short[] half;
    private final DType dtype;
    private final int offset;
    private final int[] shape;
    private final int size;
    /** Storage holds the last two dimensions swapped (a transposed view). */
    private final boolean transposed;

    private boolean requiresGrad;
    private boolean retainGrad;
    private float[] grad;
    /** Whether {@link #output} allocated {@code data} for this tensor alone (so that a recycling backward may reuse it). */
    private boolean ownsData;
    /** Set when {@link Autograd#backwardAndRecycle} handed {@code data} on: reading it now would read another tensor's values. */
    private boolean recycled;
    /** Whether {@link #gradBuffer()} allocated {@code grad} (rather than {@link #backedBy} handing it in). */
    private boolean ownsGrad;
    private int gradOffset;
    /** The op that produced this tensor; null for leaves, for no-grad results, and after backward. */
    Node node;
    /** Set when backward released the graph that produced this tensor. */
    boolean released;
    private String name;

    private Tensor(float[] data, int offset, int[] shape, boolean transposed) {
        this.size = Shape.numel(shape);
        if (offset < 0 || (long) offset + size > data.length) {
            throw new IllegalArgumentException("tensor of shape " + Shape.str(shape) + " at offset " + offset
                    + " does not fit in storage of " + data.length + " floats");
        }
        if (transposed && shape.length < 2) throw new IllegalArgumentException("a transposed view needs rank >= 2");
        this.data = data;
        this.half = null;
        this.dtype = DType.F32;
        this.offset = offset;
        this.shape = shape;
        this.transposed = transposed;
    }

    private Tensor(short[] half, DType dtype, int offset, int[] shape) {
        this.size = Shape.numel(shape);
        if (!dtype.isHalf()) throw new IllegalArgumentException("frozenHalf: dtype must be BF16 or F16, got " + dtype);
        if (offset < 0 || (long) offset + size > half.length) {
            throw new IllegalArgumentException("tensor of shape " + Shape.str(shape) + " at offset " + offset
                    + " does not fit in storage of " + half.length + " " + dtype + " values");
        }
        this.data = null;
        this.half = half;
        this.dtype = dtype;
        this.offset = offset;
        this.shape = shape;
        this.transposed = false;
    }

    // ---------------------------------------------------------------- factories

    /** A new zero-filled tensor. */
    public static Tensor zeros(int... shape) {
        int[] s = shape.clone();
        return new Tensor(new float[Shape.numel(s)], 0, s, false);
    }

    /** A new tensor filled with {@code value}. */
    public static Tensor full(float value, int... shape) {
        Tensor t = zeros(shape);
        Arrays.fill(t.data, value);
        return t;
    }

    /** A new tensor holding a copy of {@code values} (row-major). */
    public static Tensor of(float[] values, int... shape) {
        return wrap(values.clone(), shape);
    }

    /** A tensor over {@code values} without copying them; later writes to the array show through. */
    public static Tensor wrap(float[] values, int... shape) {
        int[] s = shape.clone();
        if (Shape.numel(s) != values.length) {
            throw new IllegalArgumentException("wrap: " + values.length + " values do not fill shape " + Shape.str(s));
        }
        return new Tensor(values, 0, s, false);
    }

    /**
     * A view of {@code data[offset ..]} whose gradient lives at {@code grad[gradOffset ..]} ({@code grad}
     * may be null): the flat-parameter-buffer API, with which {@link io.cpo4j.engine.nn.Parameters}
     * lays a model's tensors end to end in one value and one gradient array.
     */
    public static Tensor backedBy(float[] data, int offset, float[] grad, int gradOffset, int... shape) {
        Tensor t = new Tensor(data, offset, shape.clone(), false);
        if (grad != null) {
            if (gradOffset < 0 || (long) gradOffset + t.size > grad.length) {
                throw new IllegalArgumentException("gradient storage too small for shape " + Shape.str(shape) + " at offset " + gradOffset);
            }
            t.grad = grad;
            t.gradOffset = gradOffset;
        }
        return t;
    }

    /**
     * A frozen tensor over half-precision bits {@code bits[offset ..]} (bfloat16 or float16, as
     * {@code dtype} says), without copying them: a base-model weight at half the bytes of float32.
     * It never requires grad; {@code F.linear} (as the weight), {@code F.linears} and
     * {@code F.embedding} (as the table) read it, widening to float32 in their kernels, and
     * gradients still flow through them to their other inputs. Reshape and slice give views.
     * {@link io.cpo4j.engine.kernels.HalfFloats} converts float32 values to bits.
     */
    public static Tensor frozenHalf(short[] bits, int offset, DType dtype, int... shape) {
        return new Tensor(bits, dtype, offset, shape.clone());
    }

    /** A one-element tensor of shape [] (rank 0). */
    public static Tensor scalar(float value) {
        return new Tensor(new float[] {value}, 0, new int[0], false);
    }

    /** Normal(0, std) entries drawn from {@code rng} in row-major order. */
    public static Tensor randn(Rng rng, float std, int... shape) {
        Tensor t = zeros(shape);
        for (int i = 0; i < t.size; i++) t.data[i] = (float) (rng.nextGaussian() * std);
        return t;
    }

    /** Uniform(lo, hi) entries drawn from {@code rng} in row-major order. */
    public static Tensor uniform(Rng rng, float lo, float hi, int... shape) {
        Tensor t = zeros(shape);
        for (int i = 0; i < t.size; i++) t.data[i] = lo + (hi - lo) * rng.nextFloat();
        return t;
    }

    /**
     * A result tensor over an array of its own, which {@link Autograd#backwardAndRecycle} may hand
     * to a later op once the graph is released. Ops reach it through
     * {@code io.cpo4j.engine.internal.Outputs}. {@code zeroed}: whether the op relies on
     * the array starting at zero; without it, the op must write every element.
     */
    static Tensor output(int[] shape, boolean zeroed) {
        int[] s = shape.clone();
        int n = Shape.numel(s);
        Tensor t = new Tensor(zeroed ? BufferPool.zeroed(n) : BufferPool.uninitialised(n), 0, s, false);
        t.ownsData = true;
        return t;
    }

    /** A view of existing storage, for the layout ops. */
    static Tensor view(float[] data, int offset, int[] shape, boolean transposed) {
        return new Tensor(data, offset, shape, transposed);
    }

    /** A view of x's storage (float32 or half precision), for the layout ops. */
    static Tensor viewOf(Tensor x, int offset, int[] shape, boolean transposed) {
        if (x.half == null) return new Tensor(x.data(), offset, shape, transposed);
        if (transposed) throw x.halfError("a transposed view");
        return new Tensor(x.half, x.dtype, offset, shape);
    }

    // ---------------------------------------------------------------- shape and storage

    /** A copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    /** Size of dimension {@code d} (negative counts from the end). */
    public int size(int d) {
        return shape[Shape.dim(d, shape.length, "size")];
    }

    /** Number of elements. */
    public int size() {
        return size;
    }

    public int rank() {
        return shape.length;
    }

    /**
     * The float32 storage array (shared with views). Read it with {@link #offset()} and
     * {@link #isTransposed()}. A half-precision tensor has none: see {@link #halfData()}.
     */
    public float[] data() {
        if (recycled) throw recycledError();
        if (half != null) throw halfError("data()");
        return data;
    }

    /** How the values are stored: F32, or BF16 / F16 for a {@link #frozenHalf} tensor. */
    public DType dtype() {
        return dtype;
    }

    /** True for a {@link #frozenHalf} tensor. */
    public boolean isHalf() {
        return half != null;
    }

    /** The bfloat16 or float16 bits of a {@link #frozenHalf} tensor (shared with its views), from {@link #offset()}. */
    public short[] halfData() {
        if (half == null) throw new IllegalStateException("halfData(): tensor " + describe() + " is F32, not half precision");
        return half;
    }

    /** A float32 copy of this tensor's values (for a half-precision tensor, widened). */
    public Tensor widen() {
        return wrap(toArray(), shape);
    }

    /** The one-line refusal for {@code what} on a half-precision tensor: names the dtype and what reads it. */
    IllegalStateException halfError(String what) {
        return new IllegalStateException(what + ": tensor " + describe() + " is " + dtype
                + " (frozen half precision); only F.linear, F.linears and F.embedding read it (widen() gives a float32 copy)");
    }

    private String describe() {
        return (name == null ? "" : "'" + name + "' ") + "of shape " + Shape.str(shape);
    }

    private IllegalStateException recycledError() {
        return new IllegalStateException("tensor " + (name == null ? "" : name + " ") + "of shape " + Shape.str(shape)
                + " was computed in a graph released by Autograd.backwardAndRecycle, which reused its storage;"
                + " read what you need before that call, or use backward()");
    }

    public int offset() {
        return offset;
    }

    /** True when the storage holds the last two dimensions swapped. */
    public boolean isTransposed() {
        return transposed;
    }

    /** True when the storage is plain row-major in the logical order. */
    public boolean isContiguous() {
        return !transposed;
    }

    /** Index into {@link #data()} of a logical row-major element index. */
    public int storageIndex(int flat) {
        if (!transposed) return offset + flat;
        int rows = shape[shape.length - 2], cols = shape[shape.length - 1];
        int matrix = rows * cols;
        int batch = flat / matrix, within = flat - batch * matrix;
        int r = within / cols, c = within - r * cols;
        return offset + batch * matrix + c * rows + r;
    }

    /** Element at the given indices. */
    public float get(int... index) {
        if (recycled) throw recycledError();
        int i = storageIndex(flatIndex(index));
        return half != null ? HalfFloats.toFloat(half[i], dtype == DType.BF16) : data[i];
    }

    /** Sets the element at the given indices (no autograd; for building inputs). */
    public void set(float value, int... index) {
        if (recycled) throw recycledError();
        if (half != null) throw halfError("set");
        data[storageIndex(flatIndex(index))] = value;
    }

    /** The single value of a one-element tensor. */
    public float item() {
        if (size != 1) throw new IllegalStateException("item(): tensor of shape " + Shape.str(shape) + " has " + size + " elements");
        if (recycled) throw recycledError();
        return half != null ? HalfFloats.toFloat(half[offset], dtype == DType.BF16) : data[offset];
    }

    /** A row-major copy of the values, in logical order. */
    public float[] toArray() {
        if (recycled) throw recycledError();
        if (half != null) {
            float[] out = new float[size];
            HalfFloats.widen(half, offset, out, 0, size, dtype == DType.BF16);
            return out;
        }
        if (!transposed) return Arrays.copyOfRange(data, offset, offset + size);
        float[] out = new float[size];
        for (int i = 0; i < size; i++) out[i] = data[storageIndex(i)];
        return out;
    }

    private int flatIndex(int[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index " + Arrays.toString(index) + " has rank " + index.length + ", tensor has shape " + Shape.str(shape));
        }
        int flat = 0;
        for (int d = 0; d < shape.length; d++) {
            if (index[d] < 0 || index[d] >= shape[d]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " out of bounds for shape " + Shape.str(shape));
            }
            flat = flat * shape[d] + index[d];
        }
        return flat;
    }

    // ---------------------------------------------------------------- autograd state

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf as a trainable parameter ({@code true}) or frozen ({@code false}). */
    public Tensor requiresGrad(boolean requires) {
        if (requires && half != null) {
            throw new IllegalArgumentException("requiresGrad(true): tensor " + describe() + " is " + dtype
                    + " (frozen half precision) and cannot be trained; train a float32 tensor (or an adapter) instead");
        }
        if (node != null && !requires) throw new IllegalStateException("cannot freeze a non-leaf tensor; detach() it instead");
        this.requiresGrad = requires;
        return this;
    }

    /** Keeps this intermediate tensor's gradient after backward (for inspection and tests). */
    public Tensor retainGrad() {
        this.retainGrad = true;
        return this;
    }

    /** True when no op produced this tensor (or its graph was released). */
    public boolean isLeaf() {
        return node == null;
    }

    /** The gradient as a tensor (shares storage), or null before any backward reached it. */
    public Tensor grad() {
        return grad == null ? null : new Tensor(grad, gradOffset, shape.clone(), false);
    }

    /**
     * The gradient storage, allocated (zero) on first use. Ops accumulate into it with {@code +=}.
     * A non-leaf's buffer is reused by a later backward pass once this one releases the graph;
     * {@link #retainGrad()} keeps it.
     */
    public float[] gradBuffer() {
        if (half != null) throw halfError("gradBuffer()");
        if (grad == null) {
            grad = BufferPool.zeroed(size);
            ownsGrad = true;
            gradOffset = 0;
        }
        return grad;
    }

    /** Offset of this tensor's gradient in {@link #gradBuffer()}. */
    public int gradOffset() {
        return gradOffset;
    }

    /** True once a gradient buffer exists. */
    public boolean hasGrad() {
        return grad != null;
    }

    /** Sets the gradient to zero (keeps the buffer). */
    public void zeroGrad() {
        if (grad != null) Arrays.fill(grad, gradOffset, gradOffset + size, 0f);
    }

    /**
     * Drops this non-leaf's gradient buffer, called when the graph is released; returns it when
     * nothing else can reach it (it was allocated by {@link #gradBuffer()} and is not retained).
     */
    float[] releaseGrad() {
        if (retainGrad || grad == null) return null;
        float[] dropped = ownsGrad ? grad : null;
        grad = null;
        ownsGrad = false;
        return dropped;
    }

    /**
     * Gives up this op output's storage, called by {@link Autograd#backwardAndRecycle} when it
     * releases the graph; returns it when {@link #output} allocated it for this tensor alone.
     * The tensor refuses reads afterwards (views of it cannot tell).
     */
    float[] releaseData() {
        if (!ownsData) return null;
        ownsData = false;
        recycled = true;
        return data;
    }

    /**
     * A tensor outside any graph over {@code t}'s storage that takes over {@code t}'s claim to it
     * (so that a recycling backward may reuse it): for {@link ActivationCheckpoint}, which drops
     * {@code t} and its graph right after.
     */
    static Tensor takeOver(Tensor t) {
        Tensor d = t.detach();
        d.ownsData = t.ownsData;
        t.ownsData = false;
        return d;
    }

    /** A tensor sharing this one's storage but outside any graph. */
    public Tensor detach() {
        return half != null ? new Tensor(half, dtype, offset, shape) : new Tensor(data, offset, shape, transposed);
    }

    /** Backpropagates from this one-element tensor (a loss), then releases the graph. */
    public void backward() {
        Autograd.backward(this);
    }

    /** Backpropagates {@code gradient} (this tensor's shape, row-major), then releases the graph. */
    public void backward(float[] gradient) {
        Autograd.backward(this, gradient);
    }

    /** An optional name, shown in error messages and checkpoints. */
    public String name() {
        return name;
    }

    public Tensor named(String name) {
        this.name = name;
        return this;
    }

    // ---------------------------------------------------------------- views (io.cpo4j.engine.ops.F holds the ops that compute)

    /** Same elements, new shape (one dimension may be −1); a view when the storage allows. */
    public Tensor reshape(int... newShape) {
        return Layout.reshape(this, newShape);
    }

    /** Alias of {@link #reshape}, as in PyTorch. */
    public Tensor view(int... newShape) {
        return Layout.reshape(this, newShape);
    }

    /** Swaps the last two dimensions; a view. */
    public Tensor transpose() {
        return Layout.transpose(this);
    }

    /** Rows {@code [from, to)} of the first dimension; a view (a copy for a transposed matrix). */
    public Tensor slice(int from, int to) {
        return Layout.slice(this, from, to);
    }

    /** A row-major copy if this is a transposed view, else this tensor. */
    public Tensor contiguous() {
        return Layout.contiguous(this);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Tensor").append(Shape.str(shape));
        if (half != null) sb.append(' ').append(dtype);
        if (name != null) sb.append(' ').append(name);
        if (requiresGrad) sb.append(" requiresGrad");
        if (recycled) sb.append(" (storage recycled)");
        else if (size <= 8) sb.append(' ').append(Arrays.toString(toArray()));
        return sb.toString();
    }
}
