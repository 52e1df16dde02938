package io.cpo4j.model.train;

/** One (batch, time) window of inputs and their next-token targets, row-major; a negative target is ignored. */
public record Batch(int[] inputs, int[] targets, int batch, int time) {

    public Batch {
        if (inputs.length != (long) batch * time || targets.length != inputs.length) {
            throw new IllegalArgumentException("batch: " + inputs.length + " inputs and " + targets.length + " targets do not form (" + batch + ", " + time + ")");
        }
    }

    /** Number of targets that count (not ignored). */
    public int targetCount() {
        int n = 0;
        for (int t : targets) if (t >= 0) n++;
        return n;
    }
}
