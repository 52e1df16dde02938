package io.cpo4j.cpo.negatives;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The truth cut at a random point and ended with end-of-text: a continuation that stops too
 * early. The cut keeps between 1 and len−1 of the truth's own tokens (excluding a final
 * end-of-text), so the negative is never empty and always different from the truth; a truth of
 * a single token can only be cut to end-of-text alone.
 */
public final class TruncationNegatives implements NegativeGenerator {

    @Override
    public String name() {
        return "truncation";
    }

    @Override
    public List<List<int[]>> generate(int[][] prefixes, int[][] truths, int count, NegativeContext ctx) {
        List<List<int[]>> out = new ArrayList<>();
        for (int[] truth : truths) {
            List<int[]> negs = new ArrayList<>();
            int body = truth.length > 0 && truth[truth.length - 1] == ctx.eosToken() ? truth.length - 1 : truth.length;
            for (int i = 0; i < count; i++) {
                int keep = body <= 1 ? 0 : 1 + ctx.rng().nextInt(body - 1);  // 1 .. body−1 tokens
                int[] neg = Arrays.copyOf(truth, keep + 1);
                neg[keep] = ctx.eosToken();
                if (!Arrays.equals(neg, truth)) negs.add(neg);
            }
            out.add(negs);
        }
        return out;
    }
}
