package io.cpo4j.cli.eval;

import java.util.List;

/**
 * One evaluated generation, in oracle words: the prompt (a prefix of a held-out oracle document;
 * empty for unconditional samples), the document's true continuation, and the model's
 * continuation mapped back to words ({@code OracleLanguage.words(decodedText)}).
 *
 * @param candidateEnded whether the model stopped by itself (end-of-text token) rather than at a
 *                       length limit; only then is the end of the document scored for it
 */
public record ContinuationSample(List<String> prompt, List<String> truth, List<String> candidate, boolean candidateEnded) {

    public ContinuationSample {
        prompt = List.copyOf(prompt);
        truth = List.copyOf(truth);
        candidate = List.copyOf(candidate);
    }
}
