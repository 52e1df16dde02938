package io.cpo4j.model.gen;

/**
 * How the next token is chosen, with HuggingFace's knobs and order: the repetition penalty and
 * the no-repeat n-gram ban act on the raw logits, then temperature, top-k, top-p (nucleus) and
 * min-p narrow the distribution that is sampled. {@code greedy} takes the argmax after the
 * penalty and ban and ignores the rest.
 *
 * @param temperature       divides the logits (> 0)
 * @param topK              keep the k most likely tokens (0 = off)
 * @param topP              keep the smallest set whose probability reaches p (1 = off)
 * @param minP              drop tokens less likely than minP × the most likely one (0 = off)
 * @param repetitionPenalty CTRL's penalty on tokens already present (1 = off): a positive logit is divided by it, a negative one multiplied
 * @param noRepeatNgramSize forbid tokens that would repeat an n-gram already present (0 = off)
 */
public record Sampling(boolean greedy, float temperature, int topK, float topP, float minP, float repetitionPenalty, int noRepeatNgramSize) {

    public Sampling {
        if (!(temperature > 0 && Float.isFinite(temperature))) throw new IllegalArgumentException("sampling: temperature must be positive and finite, got " + temperature);
        if (topK < 0) throw new IllegalArgumentException("sampling: top_k must be >= 0, got " + topK);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("sampling: top_p must be in (0, 1], got " + topP);
        if (!(minP >= 0 && minP < 1)) throw new IllegalArgumentException("sampling: min_p must be in [0, 1), got " + minP);
        if (!(repetitionPenalty > 0)) throw new IllegalArgumentException("sampling: repetition_penalty must be > 0, got " + repetitionPenalty);
        if (noRepeatNgramSize < 0) throw new IllegalArgumentException("sampling: no_repeat_ngram_size must be >= 0, got " + noRepeatNgramSize);
    }

    /**
     * Temperatures below this decode greedily. At T &lt; 1e-30 the softmax of float logits is one-hot
     * in double precision (any two logits of magnitude above 1e-6 that differ at all differ by at
     * least 1e-13, and exp(-1e-13 / 1e-30) is 0), so the argmax is what sampling would give, except
     * between exactly tied logits; and logits / T would soon overflow a float to Infinity (NaN
     * probabilities) anyway.
     */
    public static final float GREEDY_BELOW = 1e-30f;

    /** True when tokens are the argmax: greedy decoding, or a temperature below {@link #GREEDY_BELOW}. */
    public boolean decodesGreedily() {
        return greedy || temperature < GREEDY_BELOW;
    }

    public static Sampling greedyDecoding() {
        return new Sampling(true, 1f, 0, 1f, 0f, 1f, 0);
    }

    /** Plain sampling from the model's distribution at this temperature. */
    public static Sampling temperature(float t) {
        return new Sampling(false, t, 0, 1f, 0f, 1f, 0);
    }

    public Sampling withTopK(int k) {
        return new Sampling(greedy, temperature, k, topP, minP, repetitionPenalty, noRepeatNgramSize);
    }

    public Sampling withTopP(float p) {
        return new Sampling(greedy, temperature, topK, p, minP, repetitionPenalty, noRepeatNgramSize);
    }

    public Sampling withMinP(float p) {
        return new Sampling(greedy, temperature, topK, topP, p, repetitionPenalty, noRepeatNgramSize);
    }

    public Sampling withRepetitionPenalty(float penalty) {
        return new Sampling(greedy, temperature, topK, topP, minP, penalty, noRepeatNgramSize);
    }

    public Sampling withNoRepeatNgram(int n) {
        return new Sampling(greedy, temperature, topK, topP, minP, repetitionPenalty, n);
    }
}
