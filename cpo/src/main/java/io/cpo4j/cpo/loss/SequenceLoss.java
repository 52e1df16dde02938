package io.cpo4j.cpo.loss;

import io.cpo4j.cpo.score.SequenceScores;
import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.Tensor;

/**
 * A loss over candidate sets computed from sequence log-probabilities: the policy's (B, K) sums,
 * the frozen reference's (when {@link #usesReference}), and the candidates' token counts.
 * Implementations give the loss and its gradient with respect to the policy's sums in closed
 * form ({@link #evaluate}); {@link #apply} records that as one op, so the backward pass continues
 * through the scorer into the model.
 */
public interface SequenceLoss {

    /** The loss's name, as {@code loss_type} spells it (cpo, cpo-ranked, dpo, cpo-xu, simpo). */
    String name();

    /** Whether the loss compares against a frozen reference model's log-probabilities. */
    boolean usesReference();

    /** Whether the loss reads candidates in preference order (the truth, then negatives by similarity to it). */
    default boolean ranked() {
        return false;
    }


    /** The β that scales log-probabilities into rewards. */
    double beta();

    /**
     * The implicit rewards the loss compares, as TRL logs them: β·(log π − log π_ref) with a
     * reference, β·log π without one.
     */
    default double[] rewards(double[] policy, double[] reference, int[][] tokens, int examples, int candidates) {
        double[] r = new double[policy.length];
        for (int i = 0; i < r.length; i++) r[i] = beta() * (policy[i] - (usesReference() ? reference[i] : 0));
        return r;
    }

    /** The loss (mean over examples) and ∂loss/∂policy[b·K + k]. */
    Value evaluate(double[] policy, double[] reference, int[][] tokens, int examples, int candidates);

    record Value(double loss, double[] gradPolicy) {}

    /** The loss as a scalar tensor whose backward reaches {@code policy.sums()}. */
    default Tensor apply(SequenceScores policy, SequenceScores reference) {
        Tensor sums = policy.sums();
        int b = sums.size(0), k = sums.size(1);
        if (usesReference() && reference == null) throw new IllegalArgumentException(name() + " needs reference log-probabilities");
        double[] pol = toDouble(sums.toArray()), ref = reference == null ? new double[pol.length] : toDouble(reference.values());
        if (ref.length != pol.length) throw new IllegalArgumentException(name() + ": policy and reference scores differ in shape");
        Value v = evaluate(pol, ref, policy.tokens(), b, k);
        Tensor out = Tensor.scalar((float) v.loss());
        return Autograd.record(name(), out, () -> {
            if (!sums.requiresGrad()) return;
            float g = out.gradBuffer()[out.gradOffset()];
            float[] gs = sums.gradBuffer();
            for (int i = 0; i < pol.length; i++) gs[sums.gradOffset() + i] += (float) (g * v.gradPolicy()[i]);
        }, sums);
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }
}
