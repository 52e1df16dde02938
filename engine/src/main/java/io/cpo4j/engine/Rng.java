package io.cpo4j.engine;

/**
 * A small, fast, seedable random generator (SplitMix64) whose whole state is one {@code long},
 * so that checkpoints can save it and resume bit-exactly. Not thread-safe: give each user its own.
 */
public final class Rng {

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private long state;
    private double spareGaussian = Double.NaN;

    public Rng(long seed) {
        this.state = seed;
    }

    /** The state to save; {@link #setState} restores it (the cached Gaussian spare is dropped). */
    public long state() {
        return state;
    }

    public void setState(long state) {
        this.state = state;
        this.spareGaussian = Double.NaN;
    }

    /** An independent generator in this one's exact state (the cached Gaussian spare too): to replay a stretch of draws. */
    public Rng copy() {
        Rng c = new Rng(state);
        c.spareGaussian = spareGaussian;
        return c;
    }

    /** Puts this generator in {@code other}'s exact state (the cached Gaussian spare too). */
    public void copyFrom(Rng other) {
        this.state = other.state;
        this.spareGaussian = other.spareGaussian;
    }

    /** Whether both generators would draw the same numbers from now on. */
    boolean sameStateAs(Rng other) {
        return state == other.state && Double.compare(spareGaussian, other.spareGaussian) == 0;
    }

    /** A fresh generator derived from this one and a stream id (for per-worker or per-row streams). */
    public Rng split(long stream) {
        return new Rng(mix(state ^ mix(stream + GOLDEN)));
    }

    public long nextLong() {
        state += GOLDEN;
        return mix(state);
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in [0, 1) with 24 random bits. */
    public float nextFloat() {
        return (nextLong() >>> 40) * 0x1.0p-24f;
    }

    /** Uniform integer in [0, bound). */
    public int nextInt(int bound) {
        if (bound <= 0) throw new IllegalArgumentException("bound must be positive, got " + bound);
        return (int) (((nextLong() >>> 32) * bound) >>> 32);
    }

    /** Standard normal (Box–Muller; the second value of each pair is kept for the next call). */
    public double nextGaussian() {
        if (!Double.isNaN(spareGaussian)) {
            double g = spareGaussian;
            spareGaussian = Double.NaN;
            return g;
        }
        double u1;
        do {
            u1 = nextDouble();
        } while (u1 <= 0);
        double u2 = nextDouble();
        double r = Math.sqrt(-2 * Math.log(u1));
        spareGaussian = r * Math.sin(2 * Math.PI * u2);
        return r * Math.cos(2 * Math.PI * u2);
    }

    /** The SplitMix64 finaliser: a stateless hash of one long, also used for counter-based streams. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
