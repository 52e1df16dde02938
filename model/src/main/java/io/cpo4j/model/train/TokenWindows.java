package io.cpo4j.model.train;

import io.cpo4j.engine.Rng;

/**
 * (B, T+1) windows over one token stream: inputs are tokens [s, s+T), targets [s+1, s+T+1).
 * {@link #random} draws each window's start from a seeded generator (training, as nanoGPT);
 * {@link #sequential} walks non-overlapping windows in order and wraps (evaluation).
 */
public final class TokenWindows implements BatchSource {

    private final int[] tokens;
    private final int batch, time;
    private final Rng rng;
    private long cursor;

    private TokenWindows(int[] tokens, int batch, int time, Rng rng) {
        if (batch <= 0 || time <= 0) throw new IllegalArgumentException("windows need batch and time > 0, got " + batch + " and " + time);
        if (tokens.length < time + 1) {
            throw new IllegalArgumentException("a stream of " + tokens.length + " tokens is too short for windows of " + (time + 1));
        }
        this.tokens = tokens;
        this.batch = batch;
        this.time = time;
        this.rng = rng;
    }

    public static TokenWindows random(int[] tokens, int batch, int time, long seed) {
        return new TokenWindows(tokens, batch, time, new Rng(seed));
    }

    public static TokenWindows sequential(int[] tokens, int batch, int time) {
        return new TokenWindows(tokens, batch, time, null);
    }

    /** Non-overlapping windows of T+1 tokens sharing one token at the seams, as {@link #sequential} reads them. */
    public int windowCount() {
        return (tokens.length - 1) / time;
    }

    @Override
    public Batch next() {
        int[] in = new int[batch * time], tg = new int[batch * time];
        for (int b = 0; b < batch; b++) {
            int start;
            if (rng != null) {
                start = rng.nextInt(tokens.length - time);
            } else {
                start = (int) (cursor % windowCount()) * time;
                cursor++;
            }
            System.arraycopy(tokens, start, in, b * time, time);
            System.arraycopy(tokens, start + 1, tg, b * time, time);
        }
        return new Batch(in, tg, batch, time);
    }

    @Override
    public long position() {
        return rng != null ? rng.state() : cursor;
    }

    @Override
    public void seek(long position) {
        if (rng != null) {
            rng.setState(position);
        } else {
            if (position < 0) throw new IllegalArgumentException("window position must be >= 0, got " + position);
            cursor = position;
        }
    }
}
