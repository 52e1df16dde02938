package io.cpo4j.cli.eval;

/**
 * Coverage: the model's NLL on fresh oracle documents — the other half of the quality–diversity
 * picture (a model that only says safe things has good oracle NLL but poor coverage).
 *
 * <p>Computed by the caller with the model, per document, at each sampling temperature τ
 * (logits divided by τ, as the sampler does), and normalised by the oracle's tokens — the
 * document's words plus one for the end — not by the model's tokenizer tokens, so that it reads
 * on the same scale as the oracle's entropy rate whatever the tokenizer. Undefined for greedy.
 */
public final class Coverage {

    private Coverage() {}

    /**
     * @param nll    per document: the model's total NLL (nats) of the document including its end-of-text token
     * @param tokens per document: oracle words + 1
     * @return NLL per oracle token with its 95% bootstrap interval over documents
     */
    public static Interval perOracleToken(double[] nll, int[] tokens, long seed) {
        double[] t = new double[tokens.length];
        for (int i = 0; i < t.length; i++) t[i] = tokens[i];
        return Bootstrap.ratio95(nll, t, seed);
    }
}
