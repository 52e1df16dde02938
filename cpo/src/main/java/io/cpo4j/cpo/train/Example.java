package io.cpo4j.cpo.train;

/** A prefix and its ground-truth continuation, as token ids (the continuation ends with end-of-text when the text does). */
public record Example(int[] prefix, int[] continuation) {

    public Example {
        if (prefix.length == 0) throw new IllegalArgumentException("example: empty prefix");
        if (continuation.length == 0) throw new IllegalArgumentException("example: empty continuation");
    }
}
