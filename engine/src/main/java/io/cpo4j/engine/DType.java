package io.cpo4j.engine;

/**
 * How a tensor's values are stored, named as PyTorch's {@code torch.float32}, {@code torch.bfloat16}
 * and {@code torch.float16}. Arithmetic is always float32: a half-precision tensor is a frozen weight
 * whose values the kernels widen to float32 as they read them (see {@link Tensor#frozenHalf}).
 */
public enum DType {
    /** IEEE single precision: every tensor that computes or trains. */
    F32(4),
    /** bfloat16: float32's sign and exponent, 7 fraction bits — float32's range, about 3 significant digits. */
    BF16(2),
    /** IEEE half precision: 5 exponent bits, 10 fraction bits — largest finite value 65504. */
    F16(2);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** True for the 16-bit formats. */
    public boolean isHalf() {
        return this != F32;
    }
}
