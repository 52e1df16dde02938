package io.cpo4j.bench;

/**
 * The tokens/s that memory bandwidth allows a decoding step: every step streams the weights once
 * (for the whole batch) and each sequence's KV cache, so
 * tokens/s ≤ batch × bandwidth / (weight bytes + batch × cache bytes). At batch 1 this is the
 * bound the decode target is held against.
 */
final class DecodeBound {

    private DecodeBound() {}

    /** Bytes one step of {@code batch} sequences reads at {@code position}. */
    static double bytesPerStep(LlamaShape shape, int position, int batch) {
        return shape.decodeWeightBytes() + batch * shape.decodeCacheBytes(position);
    }

    /** The bound in tokens/s for a measured bandwidth in bytes/s. */
    static double tokensPerSecond(double bytesPerSecond, LlamaShape shape, int position, int batch) {
        if (!(bytesPerSecond > 0) || batch < 1 || position < 0) {
            throw new IllegalArgumentException("bandwidth " + bytesPerSecond + " B/s, batch " + batch + ", position " + position);
        }
        return batch * bytesPerSecond / bytesPerStep(shape, position, batch);
    }
}
