package io.cpo4j.model.data;

/**
 * An endless supply of training batches whose position is one {@code long}, saved in checkpoints
 * so that a resumed run reads exactly the batches the uninterrupted run would have read.
 */
public interface BatchSource {

    /** The next batch of {@code rows} rows. */
    Batch next(int rows);

    /** The position to save. */
    long state();

    /** Continues from a saved {@link #state()}. */
    void setState(long state);
}
