package io.cpo4j.cpo.negatives;

import io.cpo4j.model.data.TokenizedExample;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The user's own rejected continuations (TRL's preference data: prompt, chosen, rejected), looked
 * up by the example's tokens: the (prefix, truth) pair as training sees it, after any truncation.
 * An example without rejected continuations gets none, so the mixer fills its slots with
 * truncation. With more rejected than slots, a uniform draw without replacement from the
 * context's random stream picks which (in the drawn order); with as many or fewer, all are
 * returned in file order and nothing is drawn. A rejected that equals its truth (given so, or
 * cut to fit the context) is never returned; one longer than the context leaves after its prefix
 * is cut at the end, as TRL cuts it.
 */
public final class PreferenceNegatives implements NegativeGenerator {

    private final Map<TokenizedExample, List<int[]>> rejected;
    private final int continuations;

    /**
     * @param rejected for each (prefix, truth) example, its rejected continuations in order (each
     *                 ended with end-of-text when the text ended); duplicates and copies of the
     *                 truth are dropped here
     */
    public PreferenceNegatives(Map<TokenizedExample, ? extends List<int[]>> rejected) {
        Map<TokenizedExample, List<int[]>> table = new LinkedHashMap<>();
        int n = 0;
        for (Map.Entry<TokenizedExample, ? extends List<int[]>> e : rejected.entrySet()) {
            List<int[]> kept = new ArrayList<>();
            for (int[] r : e.getValue()) {
                boolean seen = Arrays.equals(r, e.getKey().continuation()) || kept.stream().anyMatch(k -> Arrays.equals(k, r));
                if (!seen && r.length > 0) kept.add(r.clone());
            }
            if (!kept.isEmpty()) {
                table.put(new TokenizedExample(e.getKey().prefix().clone(), e.getKey().continuation().clone()), List.copyOf(kept));
                n += kept.size();
            }
        }
        this.rejected = table;
        this.continuations = n;
    }

    @Override
    public String name() {
        return "preference";
    }

    @Override
    public Map<String, Object> options() {
        return Map.of("preference_examples", (long) rejected.size(), "preference_rejected", (long) continuations);
    }

    /** How many examples have rejected continuations. */
    public int examples() {
        return rejected.size();
    }

    /** Copies of the rejected continuations of (prefix, truth), none when the example has no preference row. */
    public List<int[]> rejectedFor(int[] prefix, int[] truth) {
        return lookUp(prefix, truth).stream().map(int[]::clone).toList();
    }

    private List<int[]> lookUp(int[] prefix, int[] truth) {
        return rejected.getOrDefault(new TokenizedExample(prefix, truth), List.of());
    }

    @Override
    public List<List<int[]>> generate(int[][] prefixes, int[][] truths, int count, NegativeContext ctx) {
        int context = ctx.policy() == null ? Integer.MAX_VALUE : ctx.policy().config().contextLength();
        List<List<int[]>> out = new ArrayList<>();
        for (int b = 0; b < truths.length; b++) {
            int room = context - prefixes[b].length;
            List<int[]> fitting = new ArrayList<>();
            for (int[] r : lookUp(prefixes[b], truths[b])) {
                int[] fitted = r.length > room ? Arrays.copyOf(r, Math.max(0, room)) : r;
                if (fitted.length > 0 && !Arrays.equals(fitted, truths[b])) fitting.add(fitted);
            }
            out.add(choose(fitting, count, ctx));
        }
        return out;
    }

    /** All of {@code from} when they fit in {@code count}, else a uniform draw of {@code count} (partial Fisher–Yates). */
    private static List<int[]> choose(List<int[]> from, int count, NegativeContext ctx) {
        List<int[]> pool = new ArrayList<>(from);
        if (pool.size() <= count) {
            pool.replaceAll(int[]::clone);
            return pool;
        }
        List<int[]> picked = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int j = i + ctx.rng().nextInt(pool.size() - i);
            int[] chosen = pool.get(j);
            pool.set(j, pool.get(i));
            pool.set(i, chosen);
            picked.add(chosen.clone());
        }
        return picked;
    }
}
