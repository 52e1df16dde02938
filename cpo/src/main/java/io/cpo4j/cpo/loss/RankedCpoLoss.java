package io.cpo4j.cpo.loss;

/**
 * Sequence-level CPO, ranked (Plackett–Luce): candidates in preference order (truth first, then
 * negatives by similarity to it), {@code −Σ_{k<K−1} [r_k − log Σ_{j≥k} exp r_j]}. It is at least
 * the plain loss (its k = 0 term), and equals log K! when the policy is the reference.
 */
public record RankedCpoLoss(double beta) implements SequenceLoss {

    @Override
    public String name() {
        return "cpo-ranked";
    }

    @Override
    public boolean usesReference() {
        return true;
    }

    /** The negatives must come ordered by similarity to the truth. */
    @Override
    public boolean ranked() {
        return true;
    }

    @Override
    public Value evaluate(double[] policy, double[] reference, int[][] tokens, int examples, int k) {
        return LossMath.meanOverExamples(examples, policy.length, (b, grad) -> {
            double[] r = Rewards.of(policy, reference, beta, b, k);
            double[] dr = new double[k];
            double loss = 0;
            for (int pos = 0; pos < k - 1; pos++) {
                double lse = LossMath.logSumExp(r, pos, k);
                loss += lse - r[pos];
                dr[pos] -= 1;
                for (int j = pos; j < k; j++) dr[j] += Math.exp(r[j] - lse);
            }
            for (int j = 0; j < k; j++) grad[b * k + j] = beta * dr[j] / examples;
            return loss;
        });
    }
}
