package io.cpo4j.model.llama;

/**
 * How rotary frequencies are stretched for longer contexts, as HuggingFace's {@code rope_scaling}:
 * none, {@code linear} (every frequency divided by the factor) or {@code llama3} (low frequencies
 * divided by the factor, high ones kept, a smooth blend between).
 */
public record RopeScaling(Type type, double factor, double lowFreqFactor, double highFreqFactor, int originalContextLength) {

    public enum Type { NONE, LINEAR, LLAMA3 }

    public static final RopeScaling NONE = new RopeScaling(Type.NONE, 1, 0, 0, 0);

    public RopeScaling {
        if (!(factor > 0)) throw new IllegalArgumentException("rope_scaling.factor must be positive, got " + factor);
        if (type == Type.LLAMA3 && !(highFreqFactor > lowFreqFactor && lowFreqFactor > 0 && originalContextLength > 0)) {
            throw new IllegalArgumentException("rope_scaling llama3 needs 0 < low_freq_factor < high_freq_factor and original_max_position_embeddings > 0, got "
                    + lowFreqFactor + ", " + highFreqFactor + ", " + originalContextLength);
        }
    }

    public static RopeScaling linear(double factor) {
        return new RopeScaling(Type.LINEAR, factor, 0, 0, 0);
    }

    public static RopeScaling llama3(double factor, double lowFreqFactor, double highFreqFactor, int originalContextLength) {
        return new RopeScaling(Type.LLAMA3, factor, lowFreqFactor, highFreqFactor, originalContextLength);
    }

    /** The inverse frequencies of a head of size d: θ^(−2i/d) for i < d/2, then scaled. */
    double[] inverseFrequencies(double theta, int d) {
        double[] inv = new double[d / 2];
        for (int i = 0; i < inv.length; i++) {
            // HF computes the exponent in float32: arange(0, d, 2).float() / d
            float exponent = (float) (2 * i) / (float) d;
            inv[i] = (float) (1.0 / Math.pow(theta, exponent));
        }
        switch (type) {
            case NONE -> { }
            case LINEAR -> { for (int i = 0; i < inv.length; i++) inv[i] /= factor; }
            case LLAMA3 -> {
                double lowWavelen = originalContextLength / lowFreqFactor, highWavelen = originalContextLength / highFreqFactor;
                for (int i = 0; i < inv.length; i++) {
                    double wavelen = 2 * Math.PI / inv[i];
                    if (wavelen > lowWavelen) inv[i] /= factor;
                    else if (wavelen >= highWavelen) {
                        double smooth = (originalContextLength / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
                        inv[i] = (1 - smooth) * inv[i] / factor + smooth * inv[i];
                    }
                }
            }
        }
        return inv;
    }
}
