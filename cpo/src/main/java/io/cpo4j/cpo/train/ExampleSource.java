package io.cpo4j.cpo.train;

import io.cpo4j.engine.Rng;
import io.cpo4j.model.data.PrefixContinuationDataset;
import io.cpo4j.model.data.TokenizedExample;

import java.util.ArrayList;
import java.util.List;

/**
 * Batches of (prefix, continuation) examples drawn uniformly with a seeded generator whose state
 * is the source's position (saved in checkpoints).
 */
public final class ExampleSource {

    private final List<TokenizedExample> examples;
    private final Rng rng;
    private final int rank, replicas;

    public ExampleSource(List<TokenizedExample> examples, long seed) {
        this(examples, seed, 0, 1);
    }

    /**
     * Replica {@code rank}'s share of every global batch in data-parallel training: each replica
     * draws the same global batch of {@code batch × replicas} examples and keeps its own
     * {@code batch} of them (PyTorch's DistributedSampler), so N replicas see what one process would.
     */
    public ExampleSource(List<TokenizedExample> examples, long seed, int rank, int replicas) {
        if (replicas < 1 || rank < 0 || rank >= replicas) throw new IllegalArgumentException("rank " + rank + " of " + replicas + " replicas");
        this.rank = rank;
        this.replicas = replicas;
        if (examples.isEmpty()) throw new IllegalArgumentException("no examples to train on");
        for (TokenizedExample e : examples) {
            if (e.prefix().length == 0 || e.continuation().length == 0) throw new IllegalArgumentException("an example needs a prefix and a continuation");
        }
        this.examples = List.copyOf(examples);
        this.rng = new Rng(seed);
    }

    /** Every example of a dataset, each fitted into {@code maxLength} tokens with at most {@code maxPrefix} of prefix (TRL's truncation). */
    public static ExampleSource of(PrefixContinuationDataset data, int maxLength, int maxPrefix, long seed) {
        List<TokenizedExample> all = new ArrayList<>(data.size());
        for (int i = 0; i < data.size(); i++) {
            TokenizedExample e = data.get(i).truncated(maxLength, maxPrefix);
            if (e.prefix().length > 0 && e.continuation().length > 0) all.add(e);
        }
        return new ExampleSource(all, seed);
    }

    /** The next {@code batch} examples (this replica's share of the next global batch). */
    public List<TokenizedExample> next(int batch) {
        TokenizedExample[] all = new TokenizedExample[batch * replicas];
        for (int i = 0; i < all.length; i++) all[i] = examples.get(rng.nextInt(examples.size()));
        return List.of(all).subList(rank * batch, (rank + 1) * batch);
    }

    public int size() {
        return examples.size();
    }

    public List<TokenizedExample> all() {
        return examples;
    }

    public long state() {
        return rng.state();
    }

    public void setState(long state) {
        rng.setState(state);
    }
}
