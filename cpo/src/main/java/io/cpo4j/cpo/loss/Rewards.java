package io.cpo4j.cpo.loss;

/** Implicit rewards r = β·(log π − log π_ref) of one example's candidates. */
final class Rewards {

    private Rewards() {}

    static double[] of(double[] policy, double[] reference, double beta, int example, int k) {
        double[] r = new double[k];
        for (int j = 0; j < k; j++) r[j] = beta * (policy[example * k + j] - reference[example * k + j]);
        return r;
    }
}
