package io.cpo4j.model.data;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Evaluation batches over a whole token stream in order: window i has inputs
 * {@code tokens[i·T, i·T + T)} and targets shifted by one, so every token after the first is
 * predicted exactly once; there are ⌊(N − 1) / T⌋ windows, grouped B at a time (the last batch
 * may be smaller). Batches can be read in any order, by index.
 */
public final class SequentialWindows implements Iterable<Batch> {

    private final TokenShard shard;
    private final int batch, block;

    public SequentialWindows(TokenShard shard, int batch, int block) {
        if (batch <= 0 || block <= 0) throw new IllegalArgumentException("batch and block must be positive, got " + batch + " and " + block);
        if (shard.size() < block + 1) {
            throw new IllegalArgumentException(shard.source() + " has " + shard.size() + " tokens, fewer than one window of block + 1 = " + (block + 1));
        }
        this.shard = shard;
        this.batch = batch;
        this.block = block;
    }

    public int windowCount() {
        return (shard.size() - 1) / block;
    }

    public int batchCount() {
        return (int) ((windowCount() + (long) batch - 1) / batch);     // long: windows + batch may overflow an int
    }

    /** Number of tokens predicted over all windows: windowCount · T. */
    public long targetCount() {
        return (long) windowCount() * block;
    }

    public Batch batch(int index) {
        if (index < 0 || index >= batchCount()) throw new IndexOutOfBoundsException("batch " + index + " of " + batchCount());
        int first = (int) Math.min(windowCount(), (long) index * batch);
        int rows = Math.min(batch, windowCount() - first);
        int[] inputs = new int[rows * block], targets = new int[rows * block]; // (rows, T)
        for (int r = 0; r < rows; r++) Batch.fillRow(shard, (first + r) * block, r, block, inputs, targets);
        return new Batch(inputs, targets, rows, block);
    }

    @Override
    public Iterator<Batch> iterator() {
        return new Iterator<>() {
            private int next = 0;

            @Override
            public boolean hasNext() {
                return next < batchCount();
            }

            @Override
            public Batch next() {
                if (!hasNext()) throw new NoSuchElementException();
                return batch(next++);
            }
        };
    }
}
