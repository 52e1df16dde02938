package io.cpo4j.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Cross-entropy over the rows of a (rows, vocab) logit matrix, fused with log-softmax: the forward
 * keeps only one log-sum-exp per row, and the backward rebuilds the softmax from it, so the
 * (rows, vocab) probabilities are never stored. A negative target marks a row to ignore.
 */
public final class CrossEntropyKernel {

    private CrossEntropyKernel() {}

    private static int grain(int vocab) {
        return Math.max(1, (1 << 14) / Math.max(1, vocab));
    }

    /**
     * For every row: lse[r] = log Σ exp(logits[r,:]); logProb[r] = logits[r, t] − lse[r]
     * (both 0 where the target t is negative: ignored rows cost nothing). Targets out of range are refused.
     */
    public static void forward(float[] logits, int off, int rows, int vocab, int[] targets, int tOff,
                               float[] lse, float[] logProb) {
        for (int r = 0; r < rows; r++) {
            int t = targets[tOff + r];
            if (t >= vocab) throw new IllegalArgumentException("crossEntropy: target " + t + " at row " + r + " is outside the vocabulary of " + vocab);
        }
        Parallel.forChunks(rows, grain(vocab), (from, to) -> {
            for (int r = from; r < to; r++) {
                int t = targets[tOff + r];
                if (t < 0) {                                  // ignored: nothing reads its log-sum-exp
                    lse[r] = 0f;
                    logProb[r] = 0f;
                    continue;
                }
                int row = off + r * vocab;
                float z = SoftmaxKernel.logSumExp(logits, row, vocab);
                lse[r] = z;
                logProb[r] = logits[row + t] - z;
            }
        });
    }

    /**
     * dlogits[r,:] += scale[r] · (softmax(logits[r,:]) − onehot(t_r)), skipping rows whose target
     * is negative. The loss −mean(logProb) uses scale[r] = g / count; a log-prob output uses −g[r].
     */
    public static void backward(float[] logits, int off, int rows, int vocab, int[] targets, int tOff,
                                float[] lse, float[] scale, float[] dlogits, int dOff) {
        Parallel.forChunks(rows, grain(vocab), (from, to) -> {
            for (int r = from; r < to; r++) {
                int t = targets[tOff + r];
                if (t < 0 || scale[r] == 0f) continue;
                if (Simd.ENABLED) Vec.backwardRow(logits, off + r * vocab, lse[r], scale[r], dlogits, dOff + r * vocab, vocab);
                else backwardRowScalar(logits, off + r * vocab, lse[r], scale[r], dlogits, dOff + r * vocab, vocab);
                dlogits[dOff + r * vocab + t] -= scale[r];
            }
        });
    }

    /** d[i] += s · exp(x[i] − lse). */
    public static void backwardRowScalar(float[] x, int xOff, float lse, float s, float[] d, int dOff, int n) {
        for (int i = 0; i < n; i++) d[dOff + i] += s * (float) StrictMath.exp(x[xOff + i] - lse);
    }

    static final class Vec {
        static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

        private Vec() {}

        static void backwardRow(float[] x, int xOff, float lse, float s, float[] d, int dOff, int n) {
            FloatVector sv = FloatVector.broadcast(S, s);
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += S.length()) {
                FloatVector p = Exp.Vec.expShifted(FloatVector.fromArray(S, x, xOff + i).sub(lse));
                p.fma(sv, FloatVector.fromArray(S, d, dOff + i)).intoArray(d, dOff + i);
            }
            for (; i < n; i++) d[dOff + i] += s * Exp.exp(x[xOff + i] - lse);
        }
    }
}
