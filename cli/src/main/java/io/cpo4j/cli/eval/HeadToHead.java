package io.cpo4j.cli.eval;

import io.cpo4j.cli.judge.OracleJudge;
import io.cpo4j.cli.judge.Preference;

import java.util.ArrayList;
import java.util.List;

/**
 * An arm against the baseline item by item (training seed s, prompt i): each item's outcome
 * scores 1 (the arm wins), ½ (tie) or 0 (the baseline wins), and the win rate is the mean score,
 * with a cluster-bootstrap percentile interval over seeds and prompts (see {@link Clustering}),
 * returned as a {@link WinRate}. 0.5 means no preference; {@link WinRate#excludesHalf()} says
 * whether the interval rules that out.
 */
public final class HeadToHead {

    private HeadToHead() {}

    /** Judge verdicts per seed, per prompt, the arm as A (A = the arm wins); 95%, default resamples, seeds then prompts. */
    public static WinRate of(List<? extends List<Preference>> perSeed, long seed) {
        return of(perSeed, PairedBootstrap.RESAMPLES, 0.95, seed, Clustering.SEEDS_THEN_PROMPTS);
    }

    public static WinRate of(List<? extends List<Preference>> perSeed, int resamples, double level, long seed, Clustering clustering) {
        List<double[]> scores = new ArrayList<>(perSeed.size());
        for (List<Preference> prefs : perSeed) {
            double[] s = new double[prefs.size()];
            for (int i = 0; i < s.length; i++) s[i] = prefs.get(i).scoreForA();
            scores.add(s);
        }
        return ofScores(scores, resamples, level, seed, clustering);
    }

    /** Outcome scores per seed, per prompt: each 1 (win), 0.5 (tie) or 0 (loss). */
    public static WinRate ofScores(List<double[]> perSeed, long seed) {
        return ofScores(perSeed, PairedBootstrap.RESAMPLES, 0.95, seed, Clustering.SEEDS_THEN_PROMPTS);
    }

    public static WinRate ofScores(List<double[]> perSeed, int resamples, double level, long seed, Clustering clustering) {
        int w = 0, t = 0, l = 0;
        for (int s = 0; s < perSeed.size(); s++) {
            double[] scores = perSeed.get(s);
            for (int i = 0; i < scores.length; i++) {
                if (scores[i] == 1) w++;
                else if (scores[i] == 0.5) t++;
                else if (scores[i] == 0) l++;
                else throw new IllegalArgumentException("head to head: seed " + s + ", prompt " + i + ": score " + scores[i] + " (must be 1, 0.5 or 0)");
            }
        }
        Interval rate = PairedBootstrap.estimate(ItemValues.plain(perSeed), resamples, level, seed, clustering);
        return new WinRate(w, t, l, rate);
    }

    /**
     * Compares the items' own values (numerator / denominator each, e.g. oracle NLL per token of
     * one continuation): the arm wins an item when its value is better in the direction given;
     * values equal within {@link OracleJudge#TIE_TOLERANCE} (relative) tie.
     */
    public static WinRate byValue(PairedItems items, Better better, long seed) {
        return byValue(items, better, PairedBootstrap.RESAMPLES, 0.95, seed, Clustering.SEEDS_THEN_PROMPTS);
    }

    public static WinRate byValue(PairedItems items, Better better, int resamples, double level, long seed, Clustering clustering) {
        if (better == Better.NEITHER) throw new IllegalArgumentException("head to head: a metric without a better direction has no winner");
        ItemValues arm = items.arm(), baseline = items.baseline();
        List<double[]> scores = new ArrayList<>(arm.seeds());
        for (int s = 0; s < arm.seeds(); s++) {
            double[] sc = new double[arm.prompts(s)];
            for (int i = 0; i < sc.length; i++) {
                double x = arm.value(s, i), y = baseline.value(s, i);
                double scale = Math.max(1, Math.max(Math.abs(x), Math.abs(y)));
                if (Math.abs(x - y) <= OracleJudge.TIE_TOLERANCE * scale) sc[i] = 0.5;
                else sc[i] = (x > y) == (better == Better.HIGHER) ? 1 : 0;
            }
            scores.add(sc);
        }
        return ofScores(scores, resamples, level, seed, clustering);
    }
}
