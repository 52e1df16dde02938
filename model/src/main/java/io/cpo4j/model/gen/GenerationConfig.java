package io.cpo4j.model.gen;

import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * One generate call's settings.
 *
 * @param maxNewTokens  new tokens per sequence at most
 * @param sampling      how tokens are chosen
 * @param samplesPerPrompt   sequences per prompt (n)
 * @param seed          the call's seed: sequence i of the call draws from its own stream derived from it,
 *                      so results do not depend on batching or thread count
 * @param stopTokens    ids that end a sequence (kept as its last token), e.g. the end-of-text id
 * @param stopStrings   texts that end a sequence once its decoded continuation contains one (needs a detokenizer)
 * @param detokenizer   ids → text, for stop strings; may be null when there are none
 * @param slidingWindow when a sequence fills the context, keep going on its most recent half instead of refusing
 */
public record GenerationConfig(int maxNewTokens, Sampling sampling, int samplesPerPrompt, long seed, Set<Integer> stopTokens,
                               List<String> stopStrings, Function<int[], String> detokenizer, boolean slidingWindow) {

    public GenerationConfig {
        if (maxNewTokens < 0) throw new IllegalArgumentException("generation: max_new_tokens must be >= 0, got " + maxNewTokens);
        if (samplesPerPrompt < 1) throw new IllegalArgumentException("generation: n must be >= 1, got " + samplesPerPrompt);
        stopTokens = Set.copyOf(stopTokens);
        stopStrings = List.copyOf(stopStrings);
        if (!stopStrings.isEmpty() && detokenizer == null) throw new IllegalArgumentException("generation: stop strings need a detokenizer");
    }

    public static GenerationConfig of(int maxNewTokens, Sampling sampling, long seed) {
        return new GenerationConfig(maxNewTokens, sampling, 1, seed, Set.of(), List.of(), null, false);
    }

    public GenerationConfig withStopTokens(Integer... ids) {
        return new GenerationConfig(maxNewTokens, sampling, samplesPerPrompt, seed, Set.of(ids), stopStrings, detokenizer, slidingWindow);
    }

    public GenerationConfig withStopStrings(Function<int[], String> detokenizer, String... strings) {
        return new GenerationConfig(maxNewTokens, sampling, samplesPerPrompt, seed, stopTokens, List.of(strings), detokenizer, slidingWindow);
    }

    public GenerationConfig withSamplesPerPrompt(int n) {
        return new GenerationConfig(maxNewTokens, sampling, n, seed, stopTokens, stopStrings, detokenizer, slidingWindow);
    }

    public GenerationConfig withSlidingWindow(boolean on) {
        return new GenerationConfig(maxNewTokens, sampling, samplesPerPrompt, seed, stopTokens, stopStrings, detokenizer, on);
    }
}
