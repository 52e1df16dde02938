package io.cpo4j.cpo.train;

/**
 * The reward figures TRL logs, over a batch of candidate sets (the truth first in each):
 * {@code rewards/chosen} (the truth's mean reward), {@code rewards/rejected} (the negatives' mean),
 * {@code rewards/margins} (their difference), {@code rewards/accuracies} (the share of examples
 * whose truth beats every negative), and {@code truth_rank} (the truth's mean rank, 1 = best of K).
 */
public record RewardStats(double chosen, double rejected, double margins, double accuracies, double truthRank) {

    /** The figures of {@code rewards} (examples × k, row-major). */
    public static RewardStats of(double[] rewards, int examples, int k) {
        double chosen = 0, rejected = 0, accurate = 0, rank = 0;
        for (int e = 0; e < examples; e++) {
            double truth = rewards[e * k];
            chosen += truth;
            int better = 0;
            for (int j = 1; j < k; j++) {
                double rj = rewards[e * k + j];
                rejected += rj / (k - 1);
                if (rj >= truth) better++;
            }
            accurate += better == 0 ? 1 : 0;
            rank += 1 + better;
        }
        return new RewardStats(chosen / examples, rejected / examples, (chosen - rejected) / examples, accurate / examples, rank / examples);
    }
}
