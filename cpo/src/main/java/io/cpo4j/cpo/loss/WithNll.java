package io.cpo4j.cpo.loss;

/**
 * A loss plus {@code weight ×} the ground truth's negative log-likelihood per token (summed over
 * candidate 0 of every example, divided by their token count): the CPO paper's optional NLL term,
 * TRL's {@code cpo_alpha}.
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
    public boolean ranked() {
        return inner.ranked();
    }


    @Override
    public double[] rewards(double[] policy, double[] reference, int[][] tokens, int examples, int k) {
        return inner.rewards(policy, reference, tokens, examples, k);
    }

    @Override
    public Value evaluate(double[] policy, double[] reference, int[][] tokens, int examples, int k) {
        return add(inner.evaluate(policy, reference, tokens, examples, k), policy, tokens, examples, k, weight);
    }

    /** {@code value} plus {@code weight} × the truth's NLL per token, with its gradient. */
    static Value add(Value value, double[] policy, int[][] tokens, int examples, int k, double weight) {
        if (weight == 0) return value;
        double[] grad = value.gradPolicy().clone();
        long n = 0;
        double sum = 0;
        for (int b = 0; b < examples; b++) {
            n += tokens[b][0];
            sum += policy[b * k];
        }
        for (int b = 0; b < examples; b++) grad[b * k] -= weight / n;
        return new Value(value.loss() - weight * sum / n, grad);
    }

    /** The ground truth's NLL per token (what the weight multiplies), for logging as TRL's {@code nll_loss}. */
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
