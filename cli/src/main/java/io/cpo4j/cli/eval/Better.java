package io.cpo4j.cli.eval;

/**
 * Which direction of a metric is better, for table headers (↑ / ↓) and head-to-head comparisons;
 * {@link #NEITHER} for a metric with a target rather than a direction (a length ratio near 1).
 */
public enum Better {
    HIGHER("↑"), LOWER("↓"), NEITHER("");

    private final String arrow;

    Better(String arrow) {
        this.arrow = arrow;
    }

    /** "↑", "↓", or "" for {@link #NEITHER}. */
    public String arrow() {
        return arrow;
    }
}
