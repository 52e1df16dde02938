package io.cpo4j.cli.eval;

import io.cpo4j.cli.judge.Judge;
import io.cpo4j.cli.judge.PairItem;
import io.cpo4j.cli.judge.Preference;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How often candidates beat their references: (wins + ½ ties) / n, with the 95% Wilson score
 * interval of that proportion (ties counted as half a success — conservative, see
 * {@link Interval#wilson}). Preferences are from the candidate's side: {@link Preference#A} = win.
 */
public record WinRate(int wins, int ties, int losses, Interval rate) {

    public static WinRate of(List<Preference> preferences) {
        int w = 0, t = 0, l = 0;
        for (Preference p : preferences) {
            switch (p) {
                case A -> w++;
                case TIE -> t++;
                case B -> l++;
            }
        }
        return new WinRate(w, t, l, Interval.wilson95(w + 0.5 * t, w + t + l));
    }

    /** Asks a judge about every item, candidate as A and reference as B. */
    public static WinRate judge(Judge judge, List<PairItem> items) throws IOException {
        return of(preferences(judge, items));
    }

    /** The judge's verdicts, item by item (candidate as A). */
    public static List<Preference> preferences(Judge judge, List<PairItem> items) throws IOException {
        List<Preference> out = new ArrayList<>(items.size());
        for (PairItem item : items) out.add(judge.judge(item.prompt(), item.candidate(), item.reference()));
        return out;
    }

    public int n() {
        return wins + ties + losses;
    }

    /** Whether the interval lies strictly on one side of 0.5 (no preference). */
    public boolean excludesHalf() {
        return rate.low() > 0.5 || rate.high() < 0.5;
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("wins", (long) wins);
        m.put("ties", (long) ties);
        m.put("losses", (long) losses);
        m.put("rate", rate.toJson());
        return m;
    }
}
