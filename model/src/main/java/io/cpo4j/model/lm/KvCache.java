package io.cpo4j.model.lm;


/**
 * The keys and values one sequence has produced so far, per layer: rows of KV·D floats (the
 * key/value heads side by side) for positions [0, length). Each generated sequence owns one, so concurrent generations share only the model.
 */
public final class KvCache {

    final float[][] keys;     // [layer] (capacity, KV·D)
    final float[][] values;   // [layer] (capacity, KV·D)
    final int capacity;
    final int width;
    int length;

    public KvCache(ModelConfig config, int capacity) {
        if (capacity <= 0 || capacity > config.contextLength()) {
            throw new IllegalArgumentException("KV cache capacity " + capacity + " must be in [1, " + config.contextLength() + "] (the context length)");
        }
        this.capacity = capacity;
        this.width = config.kvHeads() * config.headSize();
        int size;
        try {
            size = Math.multiplyExact(capacity, width);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("KV cache of " + capacity + " positions × width " + width + " floats is larger than an array can be");
        }
        this.keys = new float[config.layers()][size];
        this.values = new float[config.layers()][size];
    }

    private KvCache(KvCache other) {
        this.capacity = other.capacity;
        this.width = other.width;
        this.length = other.length;
        this.keys = new float[other.keys.length][];
        this.values = new float[other.values.length][];
        for (int l = 0; l < keys.length; l++) {
            keys[l] = other.keys[l].clone();
            values[l] = other.values[l].clone();
        }
    }

    /** An independent copy (for n samples of one prompt: prefill once, copy n times). */
    public KvCache copy() {
        return new KvCache(this);
    }

    /** Positions filled. */
    public int length() {
        return length;
    }

    public int capacity() {
        return capacity;
    }

    /** Forgets everything (keeps the buffers). */
    public void clear() {
        length = 0;
    }

    /** Forgets the positions from {@code length} on (e.g. to decode from the same point again). */
    public void truncate(int length) {
        if (length < 0 || length > this.length) throw new IllegalArgumentException("cannot truncate a cache of " + this.length + " positions to " + length);
        this.length = length;
    }

    /** Layer l's keys, (capacity, KV·D): a decoder writes row p when it appends position p. */
    public float[] keys(int layer) {
        return keys[layer];
    }

    /** Layer l's values, (capacity, KV·D). */
    public float[] values(int layer) {
        return values[layer];
    }

    /** Floats per position and layer: KV·D. */
    public int width() {
        return width;
    }

    /** Marks {@code n} more positions filled, after a decoder has written them in every layer. */
    public void advance(int n) {
        if (n < 0 || length + n > capacity) throw new IllegalArgumentException("cannot advance a cache of " + length + "/" + capacity + " positions by " + n);
        length += n;
    }

    /** Bytes a cache of this capacity takes. */
    public static long bytes(ModelConfig c, int capacity) {
        return 2L * 4 * c.layers() * capacity * c.kvHeads() * c.headSize();
    }
}
