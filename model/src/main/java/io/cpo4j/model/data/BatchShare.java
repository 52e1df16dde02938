package io.cpo4j.model.data;

/**
 * One replica's share of every global batch in data-parallel training: each of {@code replicas}
 * workers draws the same global batch from an identically seeded source and keeps rows
 * {@code [rank·B, (rank+1)·B)} of it (PyTorch's DistributedSampler, by rows). Together the replicas
 * see exactly the batches one process would, so a run on N workers matches a one-process run with
 * the same global batch; the position is the source's, the same on every replica.
 */
public final class BatchShare implements BatchSource {

    private final BatchSource global;
    private final int rank;
    private final int replicas;

    public BatchShare(BatchSource global, int rank, int replicas) {
        if (replicas < 1 || rank < 0 || rank >= replicas) throw new IllegalArgumentException("rank " + rank + " of " + replicas + " replicas");
        this.global = global;
        this.rank = rank;
        this.replicas = replicas;
    }

    /** This replica's {@code rows} of the next global batch of {@code rows × replicas} rows. */
    @Override
    public Batch next(int rows) {
        Batch all = global.next(rows * replicas);                     // (N·B, T)
        int block = all.block(), from = rank * rows * block, length = rows * block;
        int[] inputs = new int[length], targets = new int[length];    // (B, T)
        System.arraycopy(all.inputs(), from, inputs, 0, length);
        System.arraycopy(all.targets(), from, targets, 0, length);
        return new Batch(inputs, targets, rows, block);
    }

    @Override
    public long state() {
        return global.state();
    }

    @Override
    public void setState(long state) {
        global.setState(state);
    }
}
