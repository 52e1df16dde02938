package io.cpo4j.model.train;

/**
 * Linear warmup to {@code maxLr}, then cosine decay to {@code minLr} at {@code totalSteps}
 * (nanoGPT's schedule); constant {@code minLr} after that.
 */
public record LrSchedule(float maxLr, float minLr, int warmupSteps, int totalSteps) {

    public LrSchedule {
        if (!(maxLr > 0) || !(minLr >= 0) || minLr > maxLr) throw new IllegalArgumentException("learning rates need 0 <= min <= max and max > 0, got " + minLr + ", " + maxLr);
        if (warmupSteps < 0 || totalSteps <= 0) throw new IllegalArgumentException("schedule needs warmup >= 0 and total steps > 0");
    }

    /** Decay to a tenth of the peak, as the GPT-2 / nanoGPT recipes do. */
    public static LrSchedule cosine(float lr, int warmupSteps, int totalSteps) {
        return new LrSchedule(lr, lr / 10f, warmupSteps, totalSteps);
    }

    /** The learning rate of step {@code step} (counting from 0). */
    public float at(int step) {
        if (step < warmupSteps) return maxLr * (step + 1) / warmupSteps;
        if (step >= totalSteps) return minLr;
        double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
        double coeff = 0.5 * (1 + Math.cos(Math.PI * progress));
        return (float) (minLr + coeff * (maxLr - minLr));
    }
}
