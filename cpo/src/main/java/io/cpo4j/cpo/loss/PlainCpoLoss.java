package io.cpo4j.cpo.loss;

/**
 * Sequence-level CPO, plain (InfoNCE): the ground truth against all K candidates,
 * {@code −log [exp r₀ / Σ_j exp r_j]} with rewards {@code r = β·(log π − log π_ref)}.
 * With K = 2 it is DPO with a synthetic negative.
 */
public record PlainCpoLoss(double beta) implements SequenceLoss {

    @Override
    public String name() {
        return "cpo";
    }

    @Override
    public boolean usesReference() {
        return true;
    }

    @Override
    public Value evaluate(double[] policy, double[] reference, int[][] tokens, int examples, int k) {
        return LossMath.meanOverExamples(examples, policy.length, (b, grad) -> {
            double[] r = Rewards.of(policy, reference, beta, b, k);
            double lse = LossMath.logSumExp(r, 0, k);
            // ∂/∂r_j = softmax(r)_j − [j = 0]; ∂r/∂π = β
            for (int j = 0; j < k; j++) grad[b * k + j] = beta * (Math.exp(r[j] - lse) - (j == 0 ? 1 : 0)) / examples;
            return lse - r[0];
        });
    }
}
