package io.cpo4j.cpo.loss;

/**
 * The other "CPO": Contrastive Preference Optimization of Xu et al. (ICML 2024), as HuggingFace
 * TRL's {@code CPOTrainer} computes it — reference-free, pairwise on candidates 0 and 1:
 * {@code −log σ(β·(log π₀ − log π₁)) + α·NLL}, with NLL the chosen candidates' summed negative
 * log-likelihood divided by their total token count and α TRL's {@code cpo_alpha}.
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
        LossMath.requirePair(this, k);
        Value pair = LossMath.meanOverExamples(examples, policy.length, (b, grad) -> {
            double margin = beta * (policy[b * k] - policy[b * k + 1]);
            double d = LossMath.sigmoidLossSlope(margin);
            grad[b * k] += beta * d / examples;
            grad[b * k + 1] -= beta * d / examples;
            return LossMath.sigmoidLoss(margin);
        });
        return WithNll.add(pair, policy, tokens, examples, k, alpha);
    }
}
