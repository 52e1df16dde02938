package io.cpo4j.cli.judge;

import io.cpo4j.cli.oracle.Forward;
import io.cpo4j.cli.oracle.OracleLanguage;
import io.cpo4j.cli.oracle.OracleScore;

import java.util.List;

/**
 * The oracle as a judge: the continuation with the higher oracle log-probability per token,
 * given the prompt, wins. Texts are split on whitespace into oracle words; unknown words and
 * ungrammatical text are costly under the ε-smoothed oracle, so they lose against valid text.
 * Per-token (not total) log-probability, so that length alone neither wins nor loses.
 *
 * <p>By default a continuation is scored as the end of its document (the end event counts as a
 * token), which is right for models that stop by themselves; for continuations cut at a length
 * limit, construct with {@code complete = false}.
 */
public final class OracleJudge implements Judge {

    /** Per-token log-probabilities closer than this (relative) are a tie. */
    public static final double TIE_TOLERANCE = 1e-9;

    private final OracleLanguage oracle;
    private final boolean complete;

    public OracleJudge(OracleLanguage oracle) {
        this(oracle, true);
    }

    public OracleJudge(OracleLanguage oracle, boolean complete) {
        this.oracle = oracle;
        this.complete = complete;
    }

    @Override
    public Preference judge(String prompt, String a, String b) {
        Forward prefix = oracle.forward();
        for (String w : OracleLanguage.words(prompt)) prefix.next(w);
        OracleScore sa = oracle.scoreFrom(prefix, OracleLanguage.words(a), complete);
        OracleScore sb = oracle.scoreFrom(prefix, OracleLanguage.words(b), complete);
        return compare(sa, sb);
    }

    /** Higher log-probability per token wins; equal within {@link #TIE_TOLERANCE} is a tie. */
    public static Preference compare(OracleScore a, OracleScore b) {
        double x = a.logProbPerToken(), y = b.logProbPerToken();
        double scale = Math.max(1, Math.max(Math.abs(x), Math.abs(y)));
        if (Math.abs(x - y) <= TIE_TOLERANCE * scale) return Preference.TIE;
        return x > y ? Preference.A : Preference.B;
    }

    /** Convenience over word lists: the candidate against the truth as continuations of a prefix. */
    public Preference judge(List<String> prefix, List<String> candidate, List<String> truth) {
        Forward f = oracle.forward();
        for (String w : prefix) f.next(w);
        return compare(oracle.scoreFrom(f, candidate, complete), oracle.scoreFrom(f, truth, complete));
    }

    @Override
    public String name() {
        return "oracle";
    }
}
