package io.cpo4j.cli.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The paper's comparison table in Markdown: rows are methods (the baseline first, by convention),
 * columns are metrics, each header carrying its better direction ({@code oracle NLL ↓}; none for
 * {@link Better#NEITHER}). Cells:
 * <ul>
 *   <li>{@link Cell#value}: the estimate alone, e.g. {@code 2.612} — the baseline's row;</li>
 *   <li>{@link Cell#paired}: the arm's estimate, then its difference to the baseline with the
 *       interval, signs always written: {@code 2.581 (-0.031 [-0.049, -0.012])};</li>
 *   <li>{@link Cell#headToHead}: a win rate against the baseline with its interval,
 *       {@code 0.620 [0.550, 0.690]};</li>
 *   <li>{@link Cell#empty} (or a NaN estimate): {@code —}.</li>
 * </ul>
 * A cell is bold ({@code **…**}) when its interval excludes "no difference": 0 for a paired
 * difference, 0.5 for a win rate — whichever side it lies on; the header's arrow says whether
 * that side is better. Numbers use the column's decimals and a dot as the decimal separator.
 */
public final class PairedTable {

    /** A metric column: its name, which direction is better, and how many decimals to print. */
    public record Column(String name, Better better, int decimals) {}

    /** One cell of the table; see the class comment for the formats. */
    public sealed interface Cell {

        static Cell value(double estimate) {
            return new Value(estimate);
        }

        static Cell paired(PairedDifference difference) {
            return new Paired(difference);
        }

        static Cell headToHead(WinRate headToHead) {
            return new Rate(headToHead);
        }

        static Cell empty() {
            return new Value(Double.NaN);
        }

        String format(int decimals);
    }

    private record Value(double estimate) implements Cell {
        public String format(int decimals) {
            return Double.isNaN(estimate) ? "—" : fixed(estimate, decimals);
        }
    }

    private record Paired(PairedDifference d) implements Cell {
        public String format(int decimals) {
            if (Double.isNaN(d.arm())) return "—";
            String text = fixed(d.arm(), decimals) + " (" + signed(d.difference(), decimals)
                    + " [" + signed(d.low(), decimals) + ", " + signed(d.high(), decimals) + "])";
            return d.excludesZero() ? "**" + text + "**" : text;
        }
    }

    private record Rate(WinRate h) implements Cell {
        public String format(int decimals) {
            Interval r = h.rate();
            if (Double.isNaN(r.estimate())) return "—";
            String text = fixed(r.estimate(), decimals) + " [" + fixed(r.low(), decimals) + ", " + fixed(r.high(), decimals) + "]";
            return h.excludesHalf() ? "**" + text + "**" : text;
        }
    }

    private final String firstHeader;
    private final List<Column> columns;
    private final List<String> names = new ArrayList<>();
    private final List<List<Cell>> rows = new ArrayList<>();

    /** @param firstHeader the header of the method-name column, e.g. "method" */
    public PairedTable(String firstHeader, List<Column> columns) {
        this.firstHeader = firstHeader;
        this.columns = List.copyOf(columns);
    }

    /** Adds a row; one cell per column. */
    public PairedTable row(String name, Cell... cells) {
        return row(name, List.of(cells));
    }

    public PairedTable row(String name, List<Cell> cells) {
        if (cells.size() != columns.size())
            throw new IllegalArgumentException("paired table: row '" + name + "' has " + cells.size() + " cells but the table " + columns.size() + " columns");
        names.add(name);
        rows.add(List.copyOf(cells));
        return this;
    }

    public String markdown() {
        StringBuilder sb = new StringBuilder("| ").append(firstHeader).append(" |");
        for (Column c : columns) {
            sb.append(' ').append(c.name());
            if (!c.better().arrow().isEmpty()) sb.append(' ').append(c.better().arrow());
            sb.append(" |");
        }
        sb.append("\n|---|");
        for (int k = 0; k < columns.size(); k++) sb.append("---|");
        sb.append('\n');
        for (int r = 0; r < rows.size(); r++) {
            sb.append("| ").append(names.get(r)).append(" |");
            for (int k = 0; k < columns.size(); k++) sb.append(' ').append(rows.get(r).get(k).format(columns.get(k).decimals())).append(" |");
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String fixed(double v, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    private static String signed(double v, int decimals) {
        return String.format(Locale.ROOT, "%+." + decimals + "f", v + 0.0);
    }
}
