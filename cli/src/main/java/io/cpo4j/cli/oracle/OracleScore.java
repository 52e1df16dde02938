package io.cpo4j.cli.oracle;

/**
 * The oracle's verdict on a word sequence (or on a continuation given a prefix).
 *
 * @param logProb      natural-log probability under the ε-smoothed oracle; always finite
 * @param tokens       scored events: the words, plus one if the end of the document was scored
 * @param valid        whether the clean grammar can produce the text (unknown words never can)
 * @param firstInvalid index of the first event the clean grammar cannot produce, or −1 —
 *                     counted from the start of the scored part (a continuation's own words)
 */
public record OracleScore(double logProb, int tokens, boolean valid, int firstInvalid) {

    /** Negative log-probability per token (nats); 0 for an empty sequence. */
    public double nllPerToken() {
        return tokens == 0 ? 0 : -logProb / tokens;
    }

    /** Log-probability per token (nats); what the oracle judge compares. */
    public double logProbPerToken() {
        return tokens == 0 ? 0 : logProb / tokens;
    }
}
