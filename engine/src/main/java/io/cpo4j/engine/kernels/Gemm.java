package io.cpo4j.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision matrix products, row-major, BLAS-style:
 * {@code C[m,n] (+)= op(A)[m,k] · op(B)[k,n]} where {@code op(A) = Aᵀ} when {@code transA}
 * (then A is stored {@code [k, m]}), likewise for B. {@code lda}, {@code ldb}, {@code ldc} are
 * row strides. With {@code accumulate} the product is added to C, otherwise it replaces it.
 *
 * <p>Work is split over rows of C; every element of C is the same k-ordered sum for any thread
 * count.
 */
public final class Gemm {

    /** Rows of C per register block. */
    static final int MR = 4;

    private Gemm() {}

    public static void gemm(boolean transA, boolean transB, int m, int n, int k,
                            float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                            float[] c, int cOff, int ldc, boolean accumulate) {
        gemmBatched(1, transA, transB, m, n, k, a, aOff, lda, 0, b, bOff, ldb, 0, c, cOff, ldc, 0, accumulate);
    }

    /** {@code batch} independent products; matrix i starts at {@code off + i·stride} (a stride of 0 shares one matrix). */
    public static void gemmBatched(int batch, boolean transA, boolean transB, int m, int n, int k,
                                   float[] a, int aOff, int lda, int strideA,
                                   float[] b, int bOff, int ldb, int strideB,
                                   float[] c, int cOff, int ldc, int strideC, boolean accumulate) {
        if (m == 0 || n == 0 || batch == 0) return;
        if (!Simd.ENABLED) {
            for (int i = 0; i < batch; i++) {
                gemmScalar(transA, transB, m, n, k, a, aOff + i * strideA, lda, b, bOff + i * strideB, ldb, c, cOff + i * strideC, ldc, accumulate);
            }
            return;
        }
        int rowBlocks = (m + MR - 1) / MR;
        long flopsPerBlock = 2L * MR * n * k;
        int grain = (int) Math.max(1, Math.min(rowBlocks, (1L << 20) / Math.max(1, flopsPerBlock)));
        // Operands in plain layout: op(A) as [m, k] rows, op(B) as [k, n] rows.
        float[][] packedA = new float[batch][];
        float[][] packedB = new float[batch][];
        for (int i = 0; i < batch; i++) {
            if (transA && (i == 0 || strideA != 0)) packedA[i] = transposeCopy(a, aOff + i * strideA, lda, k, m);
            else if (transA) packedA[i] = packedA[0];
            if (transB && (i == 0 || strideB != 0)) packedB[i] = transposeCopy(b, bOff + i * strideB, ldb, n, k);
            else if (transB) packedB[i] = packedB[0];
        }
        Parallel.forRange(batch * rowBlocks, grain, (from, to) -> {
            for (int task = from; task < to; task++) {
                int i = task / rowBlocks, rb = task - i * rowBlocks;
                float[] pa = transA ? packedA[i] : a;
                int pao = transA ? 0 : aOff + i * strideA, plda = transA ? k : lda;
                float[] pb = transB ? packedB[i] : b;
                int pbo = transB ? 0 : bOff + i * strideB, pldb = transB ? n : ldb;
                int r0 = rb * MR, rows = Math.min(MR, m - r0);
                Vec.rowBlock(rows, n, k, pa, pao + r0 * plda, plda, pb, pbo, pldb, c, cOff + i * strideC + r0 * ldc, ldc, accumulate);
            }
        });
    }

    /** [rows, cols] with row stride ld → its transpose as a packed [cols, rows]. */
    private static float[] transposeCopy(float[] x, int off, int ld, int rows, int cols) {
        float[] t = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            int src = off + r * ld;
            for (int col = 0; col < cols; col++) t[col * rows + r] = x[src + col];
        }
        return t;
    }

    /** Scalar twin: the textbook triple loop, summing over k in order. */
    public static void gemmScalar(boolean transA, boolean transB, int m, int n, int k,
                                  float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                  float[] c, int cOff, int ldc, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float sum = 0f;
                for (int p = 0; p < k; p++) {
                    float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    float bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    sum += av * bv;
                }
                int ci = cOff + i * ldc + j;
                c[ci] = accumulate ? c[ci] + sum : sum;
            }
        }
    }

    static final class Vec {
        static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

        private Vec() {}

        /** Up to MR rows of C from plain-layout A rows and B rows. */
        static void rowBlock(int rows, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float[] c, int cOff, int ldc, boolean accumulate) {
            int l = S.length();
            int j = 0;
            if (rows == MR) {
                for (; j + 2 * l <= n; j += 2 * l) block4x2(k, a, aOff, lda, b, bOff + j, ldb, c, cOff + j, ldc, accumulate);
            }
            for (; j + l <= n; j += l) {
                for (int r = 0; r < rows; r++) row1(k, a, aOff + r * lda, b, bOff + j, ldb, c, cOff + r * ldc + j, accumulate);
            }
            if (j < n) {
                for (int r = 0; r < rows; r++) {
                    for (int jj = j; jj < n; jj++) {
                        float sum = 0f;
                        for (int p = 0; p < k; p++) sum += a[aOff + r * lda + p] * b[bOff + p * ldb + jj];
                        int ci = cOff + r * ldc + jj;
                        c[ci] = accumulate ? c[ci] + sum : sum;
                    }
                }
            }
        }

        static void block4x2(int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float[] c, int cOff, int ldc, boolean accumulate) {
            int l = S.length();
            FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
            FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
            FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
            FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
            int a0 = aOff, a1 = aOff + lda, a2 = aOff + 2 * lda, a3 = aOff + 3 * lda;
            for (int p = 0; p < k; p++) {
                int bi = bOff + p * ldb;
                FloatVector b0 = FloatVector.fromArray(S, b, bi), b1 = FloatVector.fromArray(S, b, bi + l);
                FloatVector x = FloatVector.broadcast(S, a[a0 + p]);
                c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
                x = FloatVector.broadcast(S, a[a1 + p]);
                c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
                x = FloatVector.broadcast(S, a[a2 + p]);
                c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
                x = FloatVector.broadcast(S, a[a3 + p]);
                c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            }
            store(c00, c, cOff, accumulate); store(c01, c, cOff + l, accumulate);
            store(c10, c, cOff + ldc, accumulate); store(c11, c, cOff + ldc + l, accumulate);
            store(c20, c, cOff + 2 * ldc, accumulate); store(c21, c, cOff + 2 * ldc + l, accumulate);
            store(c30, c, cOff + 3 * ldc, accumulate); store(c31, c, cOff + 3 * ldc + l, accumulate);
        }

        static void row1(int k, float[] a, int aOff, float[] b, int bOff, int ldb, float[] c, int cOff, boolean accumulate) {
            FloatVector acc = FloatVector.zero(S);
            for (int p = 0; p < k; p++) acc = FloatVector.broadcast(S, a[aOff + p]).fma(FloatVector.fromArray(S, b, bOff + p * ldb), acc);
            store(acc, c, cOff, accumulate);
        }

        private static void store(FloatVector v, float[] c, int off, boolean accumulate) {
            (accumulate ? v.add(FloatVector.fromArray(S, c, off)) : v).intoArray(c, off);
        }
    }
}
