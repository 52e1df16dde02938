package io.cpo4j.cpo.loss;

/**
 * A loss plus {@code weight ×} the ground truth's negative log-likelihood per token (summed over
 * candidate 0 of every example, divided by their token count), as the CPO paper's optional NLL
 * term and TRL's {@code rpo_alpha}.
 */
public record WithNll(SequenceLoss inner, double weight) implements SequenceLoss {

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public boolean usesReference() {
        return inner.usesReference();
    }

    @Override
    public double beta() {
        return inner.beta();
    }

    @Override
    public double[] rewards(double[] policy, double[] reference, int[][] tokens, int examples, int k) {
        return inner.rewards(policy, reference, tokens, examples, k);
    }

    @Override
    public Value evaluate(double[] policy, double[] reference, int[][] tokens, int examples, int k) {
        Value v = inner.evaluate(policy, reference, tokens, examples, k);
        if (weight == 0) return v;
        double[] grad = v.gradPolicy().clone();
        long n = 0;
        double sum = 0;
        for (int b = 0; b < examples; b++) {
            n += tokens[b][0];
            sum += policy[b * k];
        }
        for (int b = 0; b < examples; b++) grad[b * k] -= weight / n;
        return new Value(v.loss() - weight * sum / n, grad);
    }

    /** The ground truth's NLL per token (what the weight multiplies), for logging. */
    public static double nll(double[] policy, int[][] tokens, int examples, int k) {
        long n = 0;
        double sum = 0;
        for (int b = 0; b < examples; b++) {
            n += tokens[b][0];
            sum += policy[b * k];
        }
        return -sum / n;
    }
}
