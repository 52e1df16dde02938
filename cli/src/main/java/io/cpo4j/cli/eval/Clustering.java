package io.cpo4j.cli.eval;

/** How a bootstrap over items (training seed s, prompt i) draws its resamples. */
public enum Clustering {
    /**
     * Two-stage cluster bootstrap: draw S seeds with replacement, then within each drawn seed draw
     * its n_s prompts with replacement (a seed drawn twice is resampled twice, independently).
     * Captures the spread between training seeds as well as between prompts; with one seed it is
     * {@link #PROMPTS_WITHIN_SEEDS}.
     */
    SEEDS_THEN_PROMPTS,
    /** Every seed once, prompts drawn with replacement within each seed: ignores seed-to-seed spread. */
    PROMPTS_WITHIN_SEEDS
}
