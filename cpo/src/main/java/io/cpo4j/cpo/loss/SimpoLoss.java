package io.cpo4j.cpo.loss;

/**
 * SimPO (Meng et al. 2024): reference-free and length-normalised,
 * {@code −log σ(β·(mean log π₀ − mean log π₁) − γ)} on candidates 0 and 1 (TRL's
 * {@code loss_type="simpo"}; its defaults β = 2, γ/β = 0.5).
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
        if (k < 2) throw new IllegalArgumentException("simpo needs two candidates per example, got " + k);
        double[] grad = new double[policy.length];
        double loss = 0;
        for (int b = 0; b < examples; b++) {
            int n0 = tokens[b][0], n1 = tokens[b][1];
            double margin = beta * (policy[b * k] / n0 - policy[b * k + 1] / n1) - gamma;
            loss -= SequenceLoss.logSigmoid(margin);
            double d = (SequenceLoss.sigmoid(margin) - 1) / examples;
            grad[b * k] = d * beta / n0;
            grad[b * k + 1] = -d * beta / n1;
        }
        return new Value(loss / examples, grad);
    }
}
