package io.cpo4j.model.gen;

/** Called on the generating thread after every new token, in order, for streaming output. */
@FunctionalInterface
public interface TokenListener {

    /** {@code sequence} numbers the call's sequences prompt by prompt, sample by sample. */
    void onToken(int sequence, int token, float logProb);

    TokenListener NONE = (s, t, l) -> { };
}
