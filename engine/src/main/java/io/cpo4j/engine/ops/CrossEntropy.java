package io.cpo4j.engine.ops;

import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.Shape;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.internal.Outputs;
import io.cpo4j.engine.kernels.CrossEntropyKernel;

import java.util.Arrays;

/**
 * Cross-entropy and per-token log-probabilities over logits (.., V), fused with log-softmax.
 * A position whose target equals the ignore index (PyTorch's {@code ignore_index}) contributes
 * nothing; every other target must be a class in [0, V).
 */
final class CrossEntropy {

    private CrossEntropy() {}

    /** Mean of −log p(target) over the positions not ignored; NaN when every one is (as PyTorch). */
    static Tensor loss(Tensor logits, int[] targets, int ignoreIndex) {
        Rows r = rows("crossEntropy", logits, targets, ignoreIndex);
        float[] lse = new float[r.n], logProb = new float[r.n];
        CrossEntropyKernel.forward(r.x.data(), r.x.offset(), r.n, r.vocab, r.targets, 0, lse, logProb);
        int count = 0;
        double sum = 0;
        for (int i = 0; i < r.n; i++) {
            if (r.targets[i] >= 0) {
                count++;
                sum -= logProb[i];
            }
        }
        int used = count;
        Tensor out = Outputs.allocate(new int[0], false);
        out.data()[0] = (float) (sum / used);
        return Autograd.record("crossEntropy", out, () -> {
            if (!logits.requiresGrad()) return;
            float[] scale = new float[r.n];
            Arrays.fill(scale, out.gradBuffer()[out.gradOffset()] / used);
            CrossEntropyKernel.backward(r.x.data(), r.x.offset(), r.n, r.vocab, r.targets, 0, lse, scale, logits.gradBuffer(), logits.gradOffset());
        }, logits);
    }

    /** log p(target) at every position, shape = logits' shape without the last dimension; 0 where ignored. */
    static Tensor tokenLogProbs(Tensor logits, int[] targets, int ignoreIndex) {
        Rows r = rows("tokenLogProbs", logits, targets, ignoreIndex);
        int[] s = logits.shape();
        Tensor out = Outputs.allocate(Arrays.copyOf(s, s.length - 1), false);     // the kernel writes every row, 0 where ignored
        float[] lse = new float[r.n];
        CrossEntropyKernel.forward(r.x.data(), r.x.offset(), r.n, r.vocab, r.targets, 0, lse, out.data());
        return Autograd.record("tokenLogProbs", out, () -> {
            if (!logits.requiresGrad()) return;
            float[] scale = new float[r.n];
            float[] g = out.gradBuffer();
            for (int i = 0; i < r.n; i++) scale[i] = -g[out.gradOffset() + i];
            CrossEntropyKernel.backward(r.x.data(), r.x.offset(), r.n, r.vocab, r.targets, 0, lse, scale, logits.gradBuffer(), logits.gradOffset());
        }, logits);
    }

    /** Row-major logits as (n, vocab), and the targets with every ignored position as −1 (the kernel's mark). */
    private record Rows(Tensor x, int n, int vocab, int[] targets) {}

    private static Rows rows(String op, Tensor logits, int[] targets, int ignoreIndex) {
        int[] s = logits.shape();
        if (s.length < 1 || s[s.length - 1] == 0) throw new IllegalArgumentException(op + ": logits need a vocabulary dimension, got " + Shape.str(s));
        int vocab = s[s.length - 1], n = logits.size() / vocab;
        if (targets.length != n) {
            throw new IllegalArgumentException(op + ": logits " + Shape.str(s) + " have " + n + " positions but " + targets.length + " targets were given");
        }
        int[] marked = new int[n];
        for (int i = 0; i < n; i++) {
            int t = targets[i];
            if (t == ignoreIndex) {
                marked[i] = -1;
            } else if (t < 0 || t >= vocab) {
                throw new IllegalArgumentException(op + ": target " + t + " at position " + i + " is outside [0, " + vocab
                        + ") and is not the ignore index " + ignoreIndex);
            } else {
                marked[i] = t;
            }
        }
        return new Rows(Operands.rowMajor(logits), n, vocab, marked);
    }
}
