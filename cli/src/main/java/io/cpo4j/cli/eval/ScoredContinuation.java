package io.cpo4j.cli.eval;

import io.cpo4j.cli.judge.OracleJudge;
import io.cpo4j.cli.judge.Preference;
import io.cpo4j.cli.oracle.Forward;
import io.cpo4j.cli.oracle.OracleLanguage;
import io.cpo4j.cli.oracle.OracleScore;

import java.util.ArrayList;
import java.util.List;

/**
 * One generation scored by the oracle: the candidate's and the truth's score as continuations
 * of the prompt (the candidate's end counted only when the model stopped by itself). The item a
 * {@link PairedComparison} compares, with the oracle metrics of the paper as ready-made columns.
 */
public record ScoredContinuation(ContinuationSample sample, OracleScore candidate, OracleScore truth) {

    public static ScoredContinuation of(OracleLanguage oracle, ContinuationSample s) {
        Forward prompt = oracle.forward();
        for (String w : s.prompt()) prompt.next(w);
        return new ScoredContinuation(s, oracle.scoreFrom(prompt, s.candidate(), s.candidateEnded()), oracle.scoreFrom(prompt, s.truth(), true));
    }

    /** Every sample, in order. */
    public static List<ScoredContinuation> all(OracleLanguage oracle, List<ContinuationSample> samples) {
        List<ScoredContinuation> out = new ArrayList<>(samples.size());
        for (ContinuationSample s : samples) out.add(of(oracle, s));
        return out;
    }

    /**
     * The primary metric of the experiments (ORACLE.md, "Primary metric"): the model ended the
     * continuation itself and prompt + continuation is a document the language can produce, every
     * word and the end included.
     */
    public boolean complete() {
        return sample.candidateEnded() && candidate.valid();
    }

    /**
     * The primary metric of the experiments: {@link #complete()} credited by how well the
     * continuation's length agrees with the truth's, min(L / T, T / L) in words, so that neither
     * stopping early nor running long scores more than matching the length: 0 for an incomplete
     * continuation, 1 for a complete one exactly as long as the truth.
     */
    public double completeness() {
        int l = sample.candidate().size(), t = sample.truth().size();
        if (!complete() || l == 0 || t == 0) return 0;
        return Math.min((double) l / t, (double) t / l);
    }

    /** Mean {@link #completeness()}, the primary metric. */
    public static PairedComparison.Metric<ScoredContinuation> completeness(int decimals) {
        return PairedComparison.Metric.plain("completeness", Better.HIGHER, decimals, ScoredContinuation::completeness);
    }

    /** Share of complete continuations ({@link #complete()}). */
    public static PairedComparison.Metric<ScoredContinuation> complete(int decimals) {
        return PairedComparison.Metric.plain("complete", Better.HIGHER, decimals, s -> s.complete() ? 1 : 0);
    }

    /** The oracle judge's verdict, candidate (A) against the truth (B). */
    public Preference againstTruth() {
        return OracleJudge.compare(candidate, truth);
    }

    /** Oracle NLL per token: Σ nats / Σ tokens over items. Lower is "safer" text, not necessarily better. */
    public static PairedComparison.Metric<ScoredContinuation> oracleNll(int decimals) {
        return PairedComparison.Metric.ratio("oracle NLL", Better.LOWER, decimals, s -> -s.candidate.logProb(), s -> s.candidate.tokens());
    }

    /** Fraction of candidates the clean grammar can produce. */
    public static PairedComparison.Metric<ScoredContinuation> validity(int decimals) {
        return PairedComparison.Metric.plain("valid", Better.HIGHER, decimals, s -> s.candidate.valid() ? 1 : 0);
    }

    /** Win rate against the truth under the oracle judge (ties ½). */
    public static PairedComparison.Metric<ScoredContinuation> winRateVsTruth(int decimals) {
        return PairedComparison.Metric.plain("win rate vs truth", Better.HIGHER, decimals, s -> s.againstTruth().scoreForA());
    }

    /** Σ candidate words / Σ truth words; no direction is better (near 1 is). Every truth must have at least one word. */
    public static PairedComparison.Metric<ScoredContinuation> lengthRatio(int decimals) {
        return PairedComparison.Metric.ratio("length ratio", Better.NEITHER, decimals, s -> s.sample.candidate().size(), s -> s.sample.truth().size());
    }

    /** The oracle judge between two methods' candidates for the same prompt, {@code arm} as A. */
    public static Preference judge(ScoredContinuation arm, ScoredContinuation baseline) {
        return OracleJudge.compare(arm.candidate, baseline.candidate);
    }
}
