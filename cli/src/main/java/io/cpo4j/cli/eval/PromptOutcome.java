package io.cpo4j.cli.eval;

import io.cpo4j.cli.judge.OracleJudge;
import io.cpo4j.cli.oracle.Forward;
import io.cpo4j.cli.oracle.OracleLanguage;
import io.cpo4j.cli.oracle.OracleScore;

import java.util.ArrayList;
import java.util.List;

/**
 * What the oracle says about one model's continuation of one prompt, kept per prompt so that two
 * models can be compared prompt by prompt (paired): the candidate's and the truth's oracle scores
 * given the prompt, whether the model stopped by itself, and both lengths in words.
 *
 * <p>The primary metric of the experiments is {@link #complete()}: the continuation ended with
 * end-of-text and prompt + continuation is a document the language can produce (see ORACLE.md,
 * "Primary metric").
 */
public record PromptOutcome(OracleScore candidate, OracleScore truth, boolean ended, int candidateWords, int truthWords) {

    /** Ended by the model itself and valid up to and including the end: a whole document of the language. */
    public boolean complete() {
        return ended && candidate.valid();
    }

    /** The oracle judge's verdict on this continuation against the truth, as 1 (win), ½ (tie) or 0. */
    public double againstTruth() {
        return OracleJudge.compare(candidate, truth).scoreForA();
    }

    /** The oracle judge's verdict on this continuation against {@code other}'s continuation of the same prompt. */
    public double against(PromptOutcome other) {
        return OracleJudge.compare(candidate, other.candidate).scoreForA();
    }

    /** Scores every sample; the order of the result is the order of {@code samples}. */
    public static List<PromptOutcome> of(OracleLanguage oracle, List<ContinuationSample> samples) {
        List<PromptOutcome> out = new ArrayList<>(samples.size());
        for (ContinuationSample s : samples) {
            Forward prompt = oracle.forward();
            for (String w : s.prompt()) prompt.next(w);
            OracleScore c = oracle.scoreFrom(prompt, s.candidate(), s.candidateEnded());
            OracleScore t = oracle.scoreFrom(prompt, s.truth(), true);
            out.add(new PromptOutcome(c, t, s.candidateEnded(), s.candidate().size(), s.truth().size()));
        }
        return out;
    }
}
