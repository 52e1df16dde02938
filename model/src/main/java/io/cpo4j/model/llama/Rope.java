package io.cpo4j.model.llama;

/**
 * The cos and sin tables of rotary position embeddings, (P, D/2) row-major: entry (p, i) is the
 * angle p · inv_freq[i]. Built for the positions asked for and grown on demand, so a model with a
 * 128k context does not pay for 128k rows it never reaches. Safe to share between threads.
 */
final class Rope {

    /** cos and sin of (positions, D/2). */
    record Table(float[] cos, float[] sin, int positions) {}

    private final double[] inverseFrequencies;   // (D/2,)
    private final int maxPositions;
    private volatile Table table = new Table(new float[0], new float[0], 0);

    Rope(double theta, int headSize, RopeScaling scaling, int maxPositions) {
        this.inverseFrequencies = scaling.inverseFrequencies(theta, headSize);
        this.maxPositions = maxPositions;
    }

    /** A table covering positions [0, positions). */
    Table table(int positions) {
        Table t = table;
        if (t.positions() >= positions) return t;
        synchronized (this) {
            t = table;
            if (t.positions() >= positions) return t;
            int n = Math.min(maxPositions, Math.max(positions, Math.max(64, 2 * t.positions())));
            int half = inverseFrequencies.length;
            float[] cos = new float[n * half], sin = new float[n * half];
            for (int p = 0; p < n; p++) {
                for (int i = 0; i < half; i++) {
                    float angle = (float) p * (float) inverseFrequencies[i];   // HF: float32 positions × float32 inv_freq
                    cos[p * half + i] = (float) Math.cos(angle);
                    sin[p * half + i] = (float) Math.sin(angle);
                }
            }
            table = t = new Table(cos, sin, n);
            return t;
        }
    }
}
