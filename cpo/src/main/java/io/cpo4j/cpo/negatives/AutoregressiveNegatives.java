package io.cpo4j.cpo.negatives;

import io.cpo4j.model.gen.Generation;
import io.cpo4j.model.gen.GenerationConfig;
import io.cpo4j.model.gen.Generator;
import io.cpo4j.model.gen.Sampling;
import io.cpo4j.model.lm.LanguageModel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Continuations sampled from a model — the frozen reference by default, or the current policy —
 * with the given sampling settings, up to {@code lengthFactor ×} the truth's length (and within
 * the context: a batch is generated together, so its length is also capped by the room its
 * longest prefix leaves), ending at end-of-text. Exact copies of the truth are dropped and redrawn (a few
 * rounds at most). Samples drawn from the reference carry its log-probability (the sampler's
 * temperature-1 log-probabilities, before any top-k/top-p filter), so the reference never scores them again.
 */
public final class AutoregressiveNegatives implements NegativeGenerator {

    /** Temperature-1 sampling, unfiltered. */
    public static final Sampling DEFAULT_SAMPLING = Sampling.temperature(1f);
    /** Negatives up to 1.5× the truth's length. */
    public static final double DEFAULT_LENGTH_FACTOR = 1.5;

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

    /** {@link #DEFAULT_SAMPLING} from the reference, up to {@link #DEFAULT_LENGTH_FACTOR} × the truth's length. */
    public AutoregressiveNegatives() {
        this(DEFAULT_SAMPLING, false, DEFAULT_LENGTH_FACTOR);
    }

    @Override
    public String name() {
        return "autoregressive";
    }

    @Override
    public Map<String, Object> options() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("negatives_from", fromPolicy ? "policy" : "reference");
        m.put("neg_temperature", (double) sampling.temperature());
        m.put("neg_top_k", (long) sampling.topK());
        m.put("neg_top_p", (double) sampling.topP());
        return m;
    }

    /** Whether negatives are sampled from the policy being trained rather than from the frozen reference. */
    public boolean fromPolicy() {
        return fromPolicy;
    }

    @Override
    public List<List<int[]>> generate(int[][] prefixes, int[][] truths, int count, NegativeContext ctx) {
        List<List<int[]>> out = new ArrayList<>();
        for (List<Negative> negatives : generateWithReference(prefixes, truths, count, ctx)) {
            List<int[]> tokens = new ArrayList<>();
            for (Negative n : negatives) tokens.add(n.tokens());
            out.add(tokens);
        }
        return out;
    }

    @Override
    public List<List<Negative>> generateWithReference(int[][] prefixes, int[][] truths, int count, NegativeContext ctx) {
        LanguageModel model = fromPolicy ? ctx.policy() : ctx.reference();
        boolean was = model.isTraining();
        model.setTraining(false);
        try {
            int b = truths.length, ctxLen = model.config().contextLength();
            int[] limit = new int[b];
            List<List<Negative>> out = new ArrayList<>();
            for (int e = 0; e < b; e++) {
                limit[e] = Math.min(ctxLen - prefixes[e].length, Math.max(1, (int) Math.ceil(truths[e].length * lengthFactor)));
                out.add(new ArrayList<>());
            }
            // All examples in one batched call per round; sampling is autoregressive, so cutting a
            // sample at its example's own limit gives a sample of that limit.
            Generator generator = new Generator(model);
            for (int round = 0; round < 3; round++) {
                List<Integer> need = new ArrayList<>();
                for (int e = 0; e < b; e++) if (out.get(e).size() < count && limit[e] > 0) need.add(e);
                if (need.isEmpty()) break;
                // one length for the batch: the longest limit, within the room every prompt has left
                int max = 0, room = Integer.MAX_VALUE, n = 0;
                List<int[]> prompts = new ArrayList<>();
                for (int e : need) {
                    prompts.add(prefixes[e]);
                    max = Math.max(max, limit[e]);
                    room = Math.min(room, ctxLen - prefixes[e].length);
                    n = Math.max(n, count - out.get(e).size());
                }
                max = Math.min(max, room);
                GenerationConfig cfg = GenerationConfig.of(max, sampling, ctx.rng().nextLong()).withSamplesPerPrompt(n).withStopTokens(ctx.eosToken());
                List<Generation> gens = generator.generate(prompts, cfg);
                for (Generation g : gens) {
                    int e = need.get(g.prompt());
                    int[] tokens = g.tokens().length > limit[e] ? Arrays.copyOf(g.tokens(), limit[e]) : g.tokens();
                    if (out.get(e).size() < count && tokens.length > 0 && !Arrays.equals(tokens, truths[e])) {
                        out.get(e).add(new Negative(tokens, fromPolicy ? Float.NaN : logProb(g.logProbs(), tokens.length)));
                    }
                }
            }
            return out;
        } finally {
            model.setTraining(was);
        }
    }

    /** Σ of the first n log-probabilities, in order. */
    private static float logProb(float[] logProbs, int n) {
        float s = 0;
        for (int i = 0; i < n; i++) s += logProbs[i];
        return s;
    }
}
