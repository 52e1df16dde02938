package io.cpo4j.cpo.loss;

/** The numerics the losses share: the per-example mean, stable log-sum-exp and the sigmoid pair. */
final class LossMath {

    private LossMath() {}

    /** One example's term of a loss. */
    interface ExampleTerm {
        /** Example {@code b}'s loss; writes its share of ∂loss/∂policy (already divided by the example count) into {@code grad}. */
        double apply(int b, double[] grad);
    }

    /** The mean of {@code term} over {@code examples}, with the gradient the terms wrote (one entry per candidate). */
    static SequenceLoss.Value meanOverExamples(int examples, int candidates, ExampleTerm term) {
        double[] grad = new double[candidates];
        double loss = 0;
        for (int b = 0; b < examples; b++) loss += term.apply(b, grad);
        return new SequenceLoss.Value(loss / examples, grad);
    }

    /** log Σ exp(x[from..to)), stably. */
    static double logSumExp(double[] x, int from, int to) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = from; i < to; i++) max = Math.max(max, x[i]);
        double s = 0;
        for (int i = from; i < to; i++) s += Math.exp(x[i] - max);
        return max + Math.log(s);
    }

    /** −log σ(margin): the pairwise loss of DPO, Xu et al.'s CPO and SimPO, stably. */
    static double sigmoidLoss(double margin) {
        return margin >= 0 ? Math.log1p(Math.exp(-margin)) : -(margin - Math.log1p(Math.exp(margin)));
    }

    /** ∂(−log σ(margin))/∂margin = σ(margin) − 1. */
    static double sigmoidLossSlope(double margin) {
        double sigmoid = margin >= 0 ? 1 / (1 + Math.exp(-margin)) : Math.exp(margin) / (1 + Math.exp(margin));
        return sigmoid - 1;
    }

    /** Refuses fewer than two candidates for a pairwise loss, which compares candidates 0 (chosen) and 1 (rejected). */
    static void requirePair(SequenceLoss loss, int candidates) {
        if (candidates < 2) throw new IllegalArgumentException(loss.name() + " needs two candidates per example (chosen, rejected), got " + candidates);
    }
}
