package io.cpo4j.model.train;

/**
 * Where a trainer's batches come from. Its position is one {@code long} (a generator state or a
 * window index), saved in checkpoints so that a resumed run reads exactly the batches the
 * uninterrupted run would have read.
 */
public interface BatchSource {

    Batch next();

    /** The position to save. */
    long position();

    /** Continues from a saved position. */
    void seek(long position);
}
