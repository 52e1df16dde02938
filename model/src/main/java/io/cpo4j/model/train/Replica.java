package io.cpo4j.model.train;

import io.cpo4j.engine.Rng;

/**
 * One worker's place in synchronous data-parallel training: replica {@code rank} of
 * {@code replicas}, whose gradients and metrics {@code reducer} averages with the others'. Every
 * replica starts from identical weights, computes its share of the global batch and takes the
 * same optimizer step. {@link #ALONE} is one process.
 *
 * @param rank     0 … replicas − 1
 * @param replicas how many workers share each global batch
 * @param reducer  combines gradients and metrics across the replicas
 */
public record Replica(int rank, int replicas, GradientReducer reducer) {

    /** One process: no one to share with. */
    public static final Replica ALONE = new Replica(0, 1, GradientReducer.LOCAL);

    public Replica {
        if (replicas < 1 || rank < 0 || rank >= replicas) throw new IllegalArgumentException("rank " + rank + " of " + replicas + " replicas");
    }

    /**
     * The seed of this replica's own random stream (sampled negatives, dropout) from the run's
     * seed: the run's seed itself on rank 0, so one replica draws what one process draws, and on
     * the others an independent stream ({@link Rng#split}: not the same stream a few draws on,
     * which {@code seed + rank} would give a counter-based generator).
     */
    public long seed(long seed) {
        return rank == 0 ? seed : new Rng(seed).split(rank).state();
    }
}
