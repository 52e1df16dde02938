package io.cpo4j.cpo.loss;

/**
 * DPO (Rafailov et al. 2023) on candidates 0 (chosen) and 1 (rejected):
 * {@code −log σ(r₀ − r₁)}, r = β·(log π − log π_ref), as TRL's sigmoid loss.
 */
public record DpoLoss(double beta) implements SequenceLoss {

    @Override
    public String name() {
        return "dpo";
    }

    @Override
    public boolean usesReference() {
        return true;
    }


    @Override
    public Value evaluate(double[] policy, double[] reference, int[][] tokens, int examples, int k) {
        LossMath.requirePair(this, k);
        return LossMath.meanOverExamples(examples, policy.length, (b, grad) -> {
            double[] r = Rewards.of(policy, reference, beta, b, k);
            double margin = r[0] - r[1];
            double d = LossMath.sigmoidLossSlope(margin);
            grad[b * k] = beta * d / examples;
            grad[b * k + 1] = -beta * d / examples;
            return LossMath.sigmoidLoss(margin);
        });
    }
}
