package io.cpo4j.model.data;

import io.cpo4j.engine.Rng;

/**
 * Training batches of windows of T+1 tokens at uniformly random places of a token stream
 * (nanoGPT's {@code get_batch}): the same seed gives the same batches, and {@link #state()} /
 * {@link #setState} let a checkpoint resume the exact sequence.
 */
public final class RandomWindows implements BatchSource {

    private final TokenShard shard;
    private final int block;
    private final Rng rng;

    public RandomWindows(TokenShard shard, int block, long seed) {
        if (block <= 0) throw new IllegalArgumentException("block must be positive, got " + block);
        if (shard.size() < block + 1) {
            throw new IllegalArgumentException(shard.source() + " has " + shard.size() + " tokens, fewer than one window of block + 1 = " + (block + 1));
        }
        this.shard = shard;
        this.block = block;
        this.rng = new Rng(seed);
    }

    /** The next batch: B windows whose starts are drawn uniformly from [0, N − T − 1]. */
    @Override
    public Batch next(int batch) {
        if (batch <= 0) throw new IllegalArgumentException("batch must be positive, got " + batch);
        int[] inputs = new int[batch * block], targets = new int[batch * block]; // (B, T)
        int starts = shard.size() - block;
        for (int b = 0; b < batch; b++) Batch.fillRow(shard, rng.nextInt(starts), b, block, inputs, targets);
        return new Batch(inputs, targets, batch, block);
    }

    /** The generator state to save with a checkpoint. */
    @Override
    public long state() {
        return rng.state();
    }

    /** Restores a state from {@link #state()}: the following batches are those that came after it. */
    @Override
    public void setState(long state) {
        rng.setState(state);
    }
}
