package io.cpo4j.cli.eval;

import io.cpo4j.cli.judge.Preference;
import io.cpo4j.cli.oracle.OracleLanguage;
import io.cpo4j.cli.oracle.OracleScore;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything the oracle can say about one set of generations (one model at one decoding).
 *
 * @param samples    number of generations
 * @param oracleNll  quality: oracle NLL per token of the candidates given their prompts, nats
 *                   (total over total; the end counts as a token when the model stopped by
 *                   itself), 95% bootstrap interval over items. The oracle's entropy rate
 *                   (≈ 2.55) is what its own samples score; lower means "safer" text, higher
 *                   means errors or unlikely text
 * @param validity   fraction of prompt + candidate the clean grammar can produce, 95% Wilson
 * @param repetition rep-n of the candidates for n = 1..4 (see {@link Ngrams})
 * @param distinct   distinct-n of the candidates for n = 1..4
 * @param length     candidate lengths against the truth, in words
 * @param winRate    oracle judge, candidate against the truth (per-token log-probability; ties ½)
 */
public record OracleMetrics(int samples, Interval oracleNll, Interval validity, Map<Integer, Double> repetition,
                            Map<Integer, Double> distinct, LengthStats length, WinRate winRate) {

    /** Largest n of the rep-n and distinct-n figures. */
    public static final int MAX_N = 4;

    public OracleMetrics {
        repetition = Map.copyOf(repetition);
        distinct = Map.copyOf(distinct);
    }

    /** Scores every sample with the oracle; {@code seed} drives the bootstrap only. */
    public static OracleMetrics of(OracleLanguage oracle, List<ContinuationSample> samples, long seed) {
        int n = samples.size();
        double[] nll = new double[n], tokens = new double[n];
        int valid = 0;
        List<Preference> preferences = new ArrayList<>(n);
        List<List<String>> candidates = new ArrayList<>(n), truths = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ContinuationSample s = samples.get(i);
            ScoredContinuation scored = ScoredContinuation.of(oracle, s);
            OracleScore c = scored.candidate();
            nll[i] = -c.logProb();
            tokens[i] = c.tokens();
            if (c.valid()) valid++;
            preferences.add(scored.againstTruth());
            candidates.add(s.candidate());
            truths.add(s.truth());
        }
        Map<Integer, Double> rep = new LinkedHashMap<>(), dist = new LinkedHashMap<>();
        for (int k = 1; k <= MAX_N; k++) {
            rep.put(k, Ngrams.repetition(candidates, k));
            dist.put(k, Ngrams.distinct(candidates, k));
        }
        return new OracleMetrics(n, Bootstrap.ratio95(nll, tokens, seed), Interval.wilson95(valid, n), rep, dist,
                LengthStats.of(candidates, truths), WinRate.of(preferences));
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("samples", (long) samples);
        m.put("oracle_nll", oracleNll.toJson());
        m.put("validity", validity.toJson());
        Map<String, Object> rep = new LinkedHashMap<>(), dist = new LinkedHashMap<>();
        for (int k = 1; k <= MAX_N; k++) {
            rep.put("rep_" + k, repetition.get(k));
            dist.put("distinct_" + k, distinct.get(k));
        }
        m.put("repetition", rep);
        m.put("distinct", dist);
        m.put("length", length.toJson());
        m.put("win_rate", winRate.toJson());
        return m;
    }
}
