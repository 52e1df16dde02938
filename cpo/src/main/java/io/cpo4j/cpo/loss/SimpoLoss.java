package io.cpo4j.cpo.loss;

/**
 * SimPO (Meng et al. 2024): reference-free and length-normalised,
 * {@code −log σ(β·(mean log π₀ − mean log π₁) − γ)} on candidates 0 and 1, as TRL's
 * {@code loss_type="simpo"} with its {@code simpo_gamma} (γ).
 */
public record SimpoLoss(double beta, double gamma) implements SequenceLoss {

    @Override
    public String name() {
        return "simpo";
    }

    @Override
    public boolean usesReference() {
        return false;
    }


    /** β · mean log π per candidate, as TRL logs SimPO's rewards. */
    @Override
    public double[] rewards(double[] policy, double[] reference, int[][] tokens, int examples, int k) {
        double[] r = new double[policy.length];
        for (int i = 0; i < r.length; i++) r[i] = beta * policy[i] / tokens[i / k][i % k];
        return r;
    }

    @Override
    public Value evaluate(double[] policy, double[] reference, int[][] tokens, int examples, int k) {
        LossMath.requirePair(this, k);
        return LossMath.meanOverExamples(examples, policy.length, (b, grad) -> {
            int n0 = tokens[b][0], n1 = tokens[b][1];
            double margin = beta * (policy[b * k] / n0 - policy[b * k + 1] / n1) - gamma;
            double d = LossMath.sigmoidLossSlope(margin) / examples;
            grad[b * k] = d * beta / n0;
            grad[b * k + 1] = -d * beta / n1;
            return LossMath.sigmoidLoss(margin);
        });
    }
}
