package io.cpo4j.cpo.negatives;

import io.cpo4j.model.gen.Generation;
import io.cpo4j.model.gen.GenerationConfig;
import io.cpo4j.model.gen.Generator;
import io.cpo4j.model.gen.Sampling;
import io.cpo4j.model.gpt.Gpt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Continuations sampled from a model — the frozen reference by default, or the current policy —
 * with the given sampling settings, up to {@code lengthFactor ×} the truth's length (and within
 * the context), ending at end-of-text. Exact copies of the truth are dropped and redrawn (a few
 * rounds at most).
 */
public final class AutoregressiveNegatives implements NegativeGenerator {

    private final Sampling sampling;
    private final boolean fromPolicy;
    private final double lengthFactor;

    public AutoregressiveNegatives(Sampling sampling, boolean fromPolicy, double lengthFactor) {
        if (sampling.greedy()) throw new IllegalArgumentException("autoregressive negatives need sampling, not greedy decoding (all copies would agree)");
        if (!(lengthFactor > 0)) throw new IllegalArgumentException("length factor must be positive");
        this.sampling = sampling;
        this.fromPolicy = fromPolicy;
        this.lengthFactor = lengthFactor;
    }

    /** Temperature-1 samples from the reference, up to 1.5× the truth's length. */
    public AutoregressiveNegatives() {
        this(Sampling.temperature(1f), false, 1.5);
    }

    @Override
    public String name() {
        return "autoregressive";
    }

    @Override
    public List<List<int[]>> generate(int[][] prefixes, int[][] truths, int count, NegativeContext ctx) {
        Gpt model = fromPolicy ? ctx.policy() : ctx.reference();
        boolean was = model.isTraining();
        model.setTraining(false);
        try {
            Generator generator = new Generator(model);
            List<List<int[]>> out = new ArrayList<>();
            int ctxLen = model.config().contextLength();
            for (int b = 0; b < truths.length; b++) {
                int[] prefix = prefixes[b];
                int max = Math.min(ctxLen - prefix.length, Math.max(1, (int) Math.ceil(truths[b].length * lengthFactor)));
                List<int[]> negs = new ArrayList<>();
                for (int round = 0; round < 3 && negs.size() < count && max > 0; round++) {
                    GenerationConfig cfg = GenerationConfig.of(max, sampling, ctx.rng().nextLong())
                            .withSamplesPerPrompt(count - negs.size()).withStopTokens(ctx.eosToken());
                    for (Generation g : generator.generate(List.of(prefix), cfg)) {
                        if (g.tokens().length > 0 && !Arrays.equals(g.tokens(), truths[b])) negs.add(g.tokens());
                    }
                }
                out.add(negs);
            }
            return out;
        } finally {
            model.setTraining(was);
        }
    }
}
