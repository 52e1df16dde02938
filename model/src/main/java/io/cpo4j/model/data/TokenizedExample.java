package io.cpo4j.model.data;

import io.cpo4j.engine.ops.F;

import java.util.Arrays;

/**
 * A prefix and its true continuation as token ids — what the CPO trainer scores and contrasts
 * with negatives, and what next-token fine-tuning trains on with the prefix masked out of the
 * loss.
 *
 * @param prefix       (P,) ids of the prompt or document start
 * @param continuation (C,) ids that follow (for instruction data, the response and then {@code <|endoftext|>})
 */
public record TokenizedExample(int[] prefix, int[] continuation) {

    /** The target id that a next-token loss skips: the engine's {@link F#IGNORE_INDEX} (PyTorch's and HuggingFace's −100). */
    public static final int IGNORE_INDEX = F.IGNORE_INDEX;

    public int length() {
        return prefix.length + continuation.length;
    }

    /** (L,) prefix followed by continuation. */
    public int[] tokens() {
        int[] all = Arrays.copyOf(prefix, length());
        System.arraycopy(continuation, 0, all, prefix.length, continuation.length);
        return all;
    }

    /** (L,) true where the token belongs to the continuation: the positions a loss counts. */
    public boolean[] lossMask() {
        boolean[] mask = new boolean[length()];
        Arrays.fill(mask, prefix.length, mask.length, true);
        return mask;
    }

    /** (L−1,) the model's inputs for next-token training: all tokens but the last. */
    public int[] inputs() {
        return Arrays.copyOf(tokens(), Math.max(0, length() - 1));
    }

    /**
     * (L−1,) next-token targets aligned with {@link #inputs()}: target t is token t+1, or
     * {@link #IGNORE_INDEX} when token t+1 is part of the prefix — so only the continuation is learned.
     */
    public int[] targets() {
        int[] tokens = tokens();
        int[] targets = new int[Math.max(0, tokens.length - 1)];
        for (int t = 0; t < targets.length; t++) targets[t] = t + 1 < prefix.length ? IGNORE_INDEX : tokens[t + 1];
        return targets;
    }

    /**
     * Fits the example into a context of {@code maxLength} tokens as TRL does: the prefix keeps its
     * last {@code maxPrefixLength} tokens (the part next to the continuation), then the
     * continuation is cut at the end to fit.
     */
    public TokenizedExample truncated(int maxLength, int maxPrefixLength) {
        if (maxPrefixLength < 0 || maxPrefixLength > maxLength) {
            throw new IllegalArgumentException("need 0 ≤ maxPrefixLength ≤ maxLength, got " + maxPrefixLength + " and " + maxLength);
        }
        int[] p = prefix.length > maxPrefixLength ? Arrays.copyOfRange(prefix, prefix.length - maxPrefixLength, prefix.length) : prefix;
        int[] c = p.length + continuation.length > maxLength ? Arrays.copyOf(continuation, maxLength - p.length) : continuation;
        return p == prefix && c == continuation ? this : new TokenizedExample(p, c);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenizedExample e && Arrays.equals(prefix, e.prefix) && Arrays.equals(continuation, e.continuation);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(prefix) + Arrays.hashCode(continuation);
    }

    @Override
    public String toString() {
        return "TokenizedExample(prefix " + Arrays.toString(prefix) + ", continuation " + Arrays.toString(continuation) + ")";
    }
}
