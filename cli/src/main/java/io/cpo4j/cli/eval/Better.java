package io.cpo4j.cli.eval;

/** Which direction of a metric is better, for table headers (↑ / ↓) and head-to-head comparisons. */
public enum Better {
    HIGHER("↑"), LOWER("↓");

    private final String arrow;

    Better(String arrow) {
        this.arrow = arrow;
    }

    public String arrow() {
        return arrow;
    }
}
