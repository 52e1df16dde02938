package io.cpo4j.engine.ops;

import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.Shape;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.internal.Outputs;
import io.cpo4j.engine.kernels.Gemm;

import java.util.Arrays;

/**
 * Batched matrix product over the last two dimensions: (.., M, K) · (.., K, N) → (.., M, N).
 * Either side may be a plain matrix shared across the other's batch; otherwise the batch shapes
 * must be equal. Transposed views are read in place (the GEMM's transpose flags), never copied.
 */
final class MatMul {

    private MatMul() {}

    /** One operand as the GEMM sees it: storage, offset, whether stored transposed, leading dim, batch stride. */
    private record Operand(float[] data, int off, boolean trans, int ld, int stride) {
        static Operand of(Tensor t, int rows, int cols, boolean shared) {
            return new Operand(t.data(), t.offset(), t.isTransposed(), t.isTransposed() ? rows : cols, shared ? 0 : rows * cols);
        }
    }

    static Tensor forward(Tensor a, Tensor b) {
        int[] as = a.shape(), bs = b.shape();
        if (as.length < 2 || bs.length < 2) {
            throw new IllegalArgumentException("matmul: operands need rank >= 2, got " + Shape.str(as) + " and " + Shape.str(bs));
        }
        int m = as[as.length - 2], k = as[as.length - 1], k2 = bs[bs.length - 2], n = bs[bs.length - 1];
        if (k != k2) throw new IllegalArgumentException("matmul: inner dimensions differ, " + Shape.str(as) + " · " + Shape.str(bs));
        int[] aBatch = Arrays.copyOf(as, as.length - 2), bBatch = Arrays.copyOf(bs, bs.length - 2);
        boolean aShared = aBatch.length == 0 && bBatch.length > 0, bShared = bBatch.length == 0;
        if (!aShared && !bShared && !Arrays.equals(aBatch, bBatch)) {
            throw new IllegalArgumentException("matmul: batch dimensions differ, " + Shape.str(as) + " · " + Shape.str(bs));
        }
        int[] batchShape = aShared ? bBatch : aBatch;
        int batch = Shape.numel(batchShape);
        int[] outShape = Arrays.copyOf(batchShape, batchShape.length + 2);
        outShape[outShape.length - 2] = m;
        outShape[outShape.length - 1] = n;
        Tensor out = Outputs.allocate(outShape, false);           // every element written by the product
        float[] c = out.data();

        Operand A = Operand.of(a, m, k, aShared), B = Operand.of(b, k, n, bShared);
        if (bShared && !A.trans) {
            // (batch·M, K) · (K, N) as one product: bigger tiles, one pass over B.
            Gemm.gemm(false, B.trans, batch * m, n, k, A.data, A.off, k, B.data, B.off, B.ld, c, 0, n, false);
        } else {
            Gemm.gemmBatched(batch, A.trans, B.trans, m, n, k, A.data, A.off, A.ld, A.stride, B.data, B.off, B.ld, B.stride,
                    c, 0, n, m * n, false);
        }
        return Autograd.record("matmul", out, () -> backward(out, a, b, A, B, batch, m, n, k), a, b);
    }

    /**
     * dA (.., M, K) += dC · op(B)ᵀ and dB (.., K, N) += op(A)ᵀ · dC. A shared operand's gradient
     * sums over the batch, one product after another (never two threads on one output).
     */
    private static void backward(Tensor out, Tensor a, Tensor b, Operand A, Operand B, int batch, int m, int n, int k) {
        float[] g = out.gradBuffer();
        int go = out.gradOffset();
        if (a.requiresGrad()) {
            float[] ga = a.gradBuffer();
            // op(B)ᵀ: B stored (K, N) → transpose it; stored transposed (N, K) → read as is.
            if (A.stride == 0 && batch > 1) {
                for (int i = 0; i < batch; i++) {
                    Gemm.gemm(false, !B.trans, m, k, n, g, go + i * m * n, n, B.data, B.off + i * B.stride, B.ld, ga, a.gradOffset(), k, true);
                }
            } else {
                Gemm.gemmBatched(batch, false, !B.trans, m, k, n, g, go, n, m * n, B.data, B.off, B.ld, B.stride,
                        ga, a.gradOffset(), k, m * k, true);
            }
        }
        if (b.requiresGrad()) {
            float[] gb = b.gradBuffer();
            // op(A)ᵀ: A stored (M, K) → transpose it; stored transposed (K, M) → read as is.
            if (B.stride == 0 && batch > 1) {
                if (!A.trans) {
                    Gemm.gemm(true, false, k, n, batch * m, A.data, A.off, k, g, go, n, gb, b.gradOffset(), n, true);
                } else {
                    for (int i = 0; i < batch; i++) {
                        Gemm.gemm(false, false, k, n, m, A.data, A.off + i * A.stride, A.ld, g, go + i * m * n, n, gb, b.gradOffset(), n, true);
                    }
                }
            } else {
                Gemm.gemmBatched(batch, !A.trans, false, k, n, m, A.data, A.off, A.ld, A.stride, g, go, n, m * n,
                        gb, b.gradOffset(), n, k * n, true);
            }
        }
    }
}
