package io.cpo4j.cpo.train;

import io.cpo4j.engine.Rng;

import java.util.List;

/**
 * Batches of (prefix, continuation) examples, drawn uniformly with a seeded generator whose state
 * is the source's position (saved in checkpoints).
 */
public final class ExampleSource {

    private final List<Example> examples;
    private final Rng rng;

    public ExampleSource(List<Example> examples, long seed) {
        if (examples.isEmpty()) throw new IllegalArgumentException("no examples to train on");
        this.examples = List.copyOf(examples);
        this.rng = new Rng(seed);
    }

    public List<Example> next(int batch) {
        Example[] out = new Example[batch];
        for (int i = 0; i < batch; i++) out[i] = examples.get(rng.nextInt(examples.size()));
        return List.of(out);
    }

    public int size() {
        return examples.size();
    }

    public List<Example> all() {
        return examples;
    }

    public long position() {
        return rng.state();
    }

    public void seek(long position) {
        rng.setState(position);
    }
}
