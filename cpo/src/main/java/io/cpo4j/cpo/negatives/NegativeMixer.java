package io.cpo4j.cpo.negatives;

import io.cpo4j.cpo.score.CandidateSet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Builds candidate sets: the truth first, then K−1 negatives shared round-robin between the
 * configured generators (slot i goes to generator i mod G); slots a generator could not fill are
 * filled by truncation. For the ranked loss the negatives are ordered by ROUGE-L F1 to the truth,
 * most similar (most preferred) first, ties kept in slot order.
 */
public final class NegativeMixer {

    private final List<NegativeGenerator> generators;
    private final NegativeGenerator fallback = new TruncationNegatives();

    public NegativeMixer(List<NegativeGenerator> generators) {
        if (generators.isEmpty()) throw new IllegalArgumentException("at least one negative generator is needed");
        this.generators = List.copyOf(generators);
    }

    public List<NegativeGenerator> generators() {
        return generators;
    }

    /**
     * Candidate sets plus, for every example and slot, which generator made it and the reference
     * model's log-probability where a generator already knew it (NaN elsewhere, and for the truth).
     */
    public record Mixed(CandidateSet set, String[][] sources, float[][] referenceLogProbs) {}

    public Mixed build(int[][] prefixes, int[][] truths, int k, boolean rankBySimilarity, NegativeContext ctx) {
        int b = truths.length, g = generators.size(), negatives = k - 1;
        int[][][] conts = new int[b][k][];
        String[][] sources = new String[b][k];
        float[][] known = new float[b][k];
        for (int e = 0; e < b; e++) {
            Arrays.fill(known[e], Float.NaN);
            conts[e][0] = truths[e];
            sources[e][0] = "truth";
        }
        for (int gi = 0; gi < g && negatives > 0; gi++) {
            int slots = negatives / g + (gi < negatives % g ? 1 : 0);
            if (slots == 0) continue;
            NegativeGenerator gen = generators.get(gi);
            List<List<Negative>> made = gen.generateWithReference(prefixes, truths, slots, ctx);
            List<List<int[]>> fill = null;
            for (int e = 0; e < b; e++) {
                List<Negative> mine = made.get(e);
                for (int s = 0; s < slots; s++) {
                    int slot = 1 + gi + s * g;
                    if (s < mine.size()) {
                        conts[e][slot] = mine.get(s).tokens();
                        known[e][slot] = mine.get(s).referenceLogProb();
                        sources[e][slot] = gen.name();
                    } else {
                        if (fill == null) fill = fallback.generate(prefixes, truths, slots, ctx);
                        List<int[]> spare = fill.get(e);
                        conts[e][slot] = spare.isEmpty() ? new int[] {ctx.eosToken()} : spare.get(s % spare.size());
                        sources[e][slot] = fallback.name();
                    }
                }
            }
        }
        if (rankBySimilarity) {
            for (int e = 0; e < b; e++) {
                int[] truth = truths[e];
                Integer[] order = new Integer[k - 1];
                double[] sim = new double[k];
                for (int j = 1; j < k; j++) {
                    order[j - 1] = j;
                    sim[j] = RougeL.f1(conts[e][j], truth);
                }
                Arrays.sort(order, Comparator.comparingDouble((Integer j) -> -sim[j]).thenComparingInt(j -> j));
                int[][] c = conts[e].clone();
                String[] src = sources[e].clone();
                float[] ref = known[e].clone();
                for (int j = 1; j < k; j++) {
                    conts[e][j] = c[order[j - 1]];
                    sources[e][j] = src[order[j - 1]];
                    known[e][j] = ref[order[j - 1]];
                }
            }
        }
        return new Mixed(new CandidateSet(prefixes, conts), sources, known);
    }

    /** Names of the generators, for metrics. */
    public List<String> names() {
        List<String> n = new ArrayList<>();
        for (NegativeGenerator gen : generators) n.add(gen.name());
        return n;
    }
}
