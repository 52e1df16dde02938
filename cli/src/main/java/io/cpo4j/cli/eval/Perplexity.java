package io.cpo4j.cli.eval;

/** Perplexity = exp(mean negative log-likelihood per token, in nats). */
public final class Perplexity {

    private Perplexity() {}

    public static double of(double meanNll) {
        return Math.exp(meanNll);
    }

    /** From a total NLL (nats) over a number of tokens. */
    public static double of(double totalNll, long tokens) {
        if (tokens <= 0) throw new IllegalArgumentException("perplexity needs at least one token, got " + tokens);
        return Math.exp(totalNll / tokens);
    }

    /** A per-token NLL interval mapped through exp (monotone, so the interval stays an interval). */
    public static Interval of(Interval meanNll) {
        return new Interval(Math.exp(meanNll.estimate()), Math.exp(meanNll.low()), Math.exp(meanNll.high()), meanNll.method());
    }
}
