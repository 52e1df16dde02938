package io.cpo4j.cpo.negatives;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Continuations of other rows of the batch: fluent text that does not answer this prefix.
 * Example b takes the truths of b+1, b+2, … (wrapping), skipping exact copies of its own and those
 * too long to follow its prefix within the context (they are skipped, not cut: a cut continuation
 * is a truncation negative, which the mixer fills in when this generator comes up short).
 */
public final class BatchNegatives implements NegativeGenerator {

    @Override
    public String name() {
        return "batch";
    }

    @Override
    public List<List<int[]>> generate(int[][] prefixes, int[][] truths, int count, NegativeContext ctx) {
        int n = truths.length, context = ctx.policy().config().contextLength();
        int offset = n > 1 ? 1 + ctx.rng().nextInt(n - 1) : 0;                  // which neighbour comes first
        List<List<int[]>> out = new ArrayList<>();
        for (int b = 0; b < n; b++) {
            List<int[]> negs = new ArrayList<>();
            for (int step = 0; step < n - 1 && negs.size() < count; step++) {
                int other = (b + 1 + (offset - 1 + step) % (n - 1)) % n;       // each other row once, never b
                boolean fits = prefixes[b].length + truths[other].length <= context;
                if (fits && !Arrays.equals(truths[other], truths[b])) negs.add(truths[other].clone());
            }
            out.add(negs);
        }
        return out;
    }
}
