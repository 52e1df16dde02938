package io.cpo4j.cpo.loss;

/**
 * The other "CPO": Contrastive Preference Optimization of Xu et al. (ICML 2024), as HuggingFace
 * TRL's {@code CPOTrainer} computes it — reference-free, pairwise on candidates 0 and 1:
 * {@code −log σ(β·(log π₀ − log π₁)) + α·NLL}, with NLL the chosen candidates' summed negative
 * log-likelihood divided by their total token count.
 */
public record XuCpoLoss(double beta, double alpha) implements SequenceLoss {

    @Override
    public String name() {
        return "cpo-xu";
    }

    @Override
    public boolean usesReference() {
        return false;
    }

    @Override
    public Value evaluate(double[] policy, double[] reference, int[][] tokens, int examples, int k) {
        if (k < 2) throw new IllegalArgumentException("cpo-xu needs two candidates per example, got " + k);
        double[] grad = new double[policy.length];
        double loss = 0;
        long chosenTokens = 0;
        for (int b = 0; b < examples; b++) chosenTokens += tokens[b][0];
        for (int b = 0; b < examples; b++) {
            double margin = beta * (policy[b * k] - policy[b * k + 1]);
            loss -= SequenceLoss.logSigmoid(margin) / examples;
            double d = (SequenceLoss.sigmoid(margin) - 1) * beta / examples;
            grad[b * k] += d;
            grad[b * k + 1] -= d;
            loss -= alpha * policy[b * k] / chosenTokens;
            grad[b * k] -= alpha / chosenTokens;
        }
        return new Value(loss, grad);
    }
}
