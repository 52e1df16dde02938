package io.cpo4j.cli.oracle;

/**
 * Exact expectations over the clean oracle's hidden paths, from the expected number of visits
 * to each grammar state (arc probabilities do not depend on the topic, so the visits do not
 * either). The entropy of (document, hidden path) is an upper bound on the entropy of the
 * documents alone: the two differ by the uncertainty about the path given the words (mostly
 * the topic early in a document, and ambiguous words like "the" or "sheep").
 *
 * @param expectedTokens  expected words per document plus one for the end
 * @param pathEntropy     E[−log P(document, path)] in nats
 */
public record PathEntropy(double expectedTokens, double pathEntropy) {

    /** Upper bound on the entropy rate, nats per token (ratio of expectations). */
    public double perToken() {
        return pathEntropy / expectedTokens;
    }

    public static PathEntropy of(Grammar g) {
        int n = g.stateCount();
        double[] visits = new double[n];
        double[] next = new double[n];
        for (int iter = 0; iter < 100_000; iter++) {
            java.util.Arrays.fill(next, 0);
            next[g.start()] = 1;
            for (int a = 0; a < g.arcCount(); a++) next[g.arcTo(a)] += visits[g.arcFrom(a)] * g.arcProb(a);
            double change = 0;
            for (int s = 0; s < n; s++) change = Math.max(change, Math.abs(next[s] - visits[s]));
            double[] t = visits;
            visits = next;
            next = t;
            if (change < 1e-15) break;
        }
        double tokens = 0, entropy = 0;
        for (int s = 0; s < n; s++) tokens += visits[s];
        for (int t = 0; t < g.topicCount(); t++) {
            double prior = g.topicPrior(t);
            entropy -= prior * Math.log(prior);
            for (int s = 0; s < n; s++) entropy += prior * visits[s] * stateEntropy(g, s, t);
        }
        return new PathEntropy(tokens, entropy);
    }

    /** Entropy of one step's (arc, word) or end from a state, for a topic. */
    private static double stateEntropy(Grammar g, int state, int topic) {
        double h = 0;
        double end = g.endProb(state);
        if (end > 0) h -= end * Math.log(end);
        for (int a : g.arcsFrom(state)) {
            double p = g.arcProb(a);
            h += p * (-Math.log(p) + g.arcClass(a).entropy(topic));
        }
        return h;
    }
}
