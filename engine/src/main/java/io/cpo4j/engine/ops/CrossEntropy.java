package io.cpo4j.engine.ops;

import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.Shape;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.kernels.CrossEntropyKernel;

import java.util.Arrays;

/**
 * Cross-entropy and per-token log-probabilities over logits (.., V), fused with log-softmax.
 * A negative target means "ignore this position" (PyTorch's ignore_index, −100 by convention).
 */
public final class CrossEntropy {

    private CrossEntropy() {}

    /** Mean of −log p(target) over the positions whose target is ≥ 0; NaN when there are none (as PyTorch). */
    public static Tensor loss(Tensor logits, int[] targets) {
        Rows r = rows("crossEntropy", logits, targets);
        float[] lse = new float[r.n], logProb = new float[r.n];
        CrossEntropyKernel.forward(r.x.data(), r.x.offset(), r.n, r.vocab, targets, 0, lse, logProb);
        int count = 0;
        double sum = 0;
        for (int i = 0; i < r.n; i++) {
            if (targets[i] >= 0) {
                count++;
                sum -= logProb[i];
            }
        }
        int used = count;
        Tensor out = Tensor.scalar((float) (sum / used));
        int[] saved = targets.clone();
        return Autograd.record("crossEntropy", out, () -> {
            if (!logits.requiresGrad()) return;
            float[] scale = new float[r.n];
            Arrays.fill(scale, out.gradBuffer()[out.gradOffset()] / used);
            CrossEntropyKernel.backward(r.x.data(), r.x.offset(), r.n, r.vocab, saved, 0, lse, scale, logits.gradBuffer(), logits.gradOffset());
        }, logits);
    }

    /** log p(target) at every position, shape = logits' shape without the last dimension; 0 where ignored. */
    public static Tensor tokenLogProbs(Tensor logits, int[] targets) {
        Rows r = rows("tokenLogProbs", logits, targets);
        float[] lse = new float[r.n], logProb = new float[r.n];
        CrossEntropyKernel.forward(r.x.data(), r.x.offset(), r.n, r.vocab, targets, 0, lse, logProb);
        int[] s = logits.shape();
        Tensor out = Tensor.over(logProb, 0, Arrays.copyOf(s, s.length - 1), false);
        int[] saved = targets.clone();
        return Autograd.record("tokenLogProbs", out, () -> {
            if (!logits.requiresGrad()) return;
            float[] scale = new float[r.n];
            float[] g = out.gradBuffer();
            for (int i = 0; i < r.n; i++) scale[i] = -g[out.gradOffset() + i];
            CrossEntropyKernel.backward(r.x.data(), r.x.offset(), r.n, r.vocab, saved, 0, lse, scale, logits.gradBuffer(), logits.gradOffset());
        }, logits);
    }

    private record Rows(Tensor x, int n, int vocab) {}

    private static Rows rows(String op, Tensor logits, int[] targets) {
        int[] s = logits.shape();
        if (s.length < 1 || s[s.length - 1] == 0) throw new IllegalArgumentException(op + ": logits need a vocabulary dimension, got " + Shape.str(s));
        int vocab = s[s.length - 1], n = logits.size() / vocab;
        if (targets.length != n) {
            throw new IllegalArgumentException(op + ": logits " + Shape.str(s) + " have " + n + " positions but " + targets.length + " targets were given");
        }
        return new Rows(Layout.rowMajor(logits), n, vocab);
    }
}
