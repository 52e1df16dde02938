package io.cpo4j.cli.eval;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PairedTableTest {

    private static final List<PairedTable.Column> COLUMNS = List.of(
            new PairedTable.Column("oracle NLL", Better.LOWER, 3),
            new PairedTable.Column("valid", Better.HIGHER, 3),
            new PairedTable.Column("win rate vs MLE", Better.HIGHER, 2));

    @Test
    void twoArmsAgainstTheBaseline() {
        PairedDifference cpoNll = new PairedDifference(2.581, 2.612, -0.031, -0.049, -0.012, 0.95, 0.0, 0.0, 2000);
        PairedDifference cpoValid = new PairedDifference(0.98, 0.95, 0.03, -0.01, 0.07, 0.95, 0.9, 0.2, 2000);
        PairedDifference dpoNll = new PairedDifference(2.7, 2.612, 0.088, 0.02, 0.19, 0.95, 1.0, 0.0, 2000);
        PairedDifference dpoValid = new PairedDifference(0.95, 0.95, -0.0, -0.04, 0.04, 0.95, 0.5, 1.0, 2000);
        WinRate cpoWins = new WinRate(60, 5, 35, new Interval(0.625, 0.55, 0.7, "cluster-bootstrap"));
        WinRate dpoWins = new WinRate(45, 6, 49, new Interval(0.48, 0.4, 0.56, "cluster-bootstrap"));
        String md = new PairedTable("method", COLUMNS)
                .row("MLE", PairedTable.Cell.value(2.612), PairedTable.Cell.value(0.95), PairedTable.Cell.empty())
                .row("CPO", PairedTable.Cell.paired(cpoNll), PairedTable.Cell.paired(cpoValid), PairedTable.Cell.headToHead(cpoWins))
                .row("DPO", PairedTable.Cell.paired(dpoNll), PairedTable.Cell.paired(dpoValid), PairedTable.Cell.headToHead(dpoWins))
                .markdown();
        assertThat(md).isEqualTo("""
                | method | oracle NLL ↓ | valid ↑ | win rate vs MLE ↑ |
                |---|---|---|---|
                | MLE | 2.612 | 0.950 | — |
                | CPO | **2.581 (-0.031 [-0.049, -0.012])** | 0.980 (+0.030 [-0.010, +0.070]) | **0.63 [0.55, 0.70]** |
                | DPO | **2.700 (+0.088 [+0.020, +0.190])** | 0.950 (+0.000 [-0.040, +0.040]) | 0.48 [0.40, 0.56] |
                """);
    }

    @Test
    void cellsFromTheBootstrapAndMissingValues() {
        PairedItems items = PairedItems.plain(List.of(new double[] {1, 2, 3}), List.of(new double[] {1, 2, 3}));
        PairedDifference none = PairedBootstrap.difference(items, 1);
        String md = new PairedTable("arm", List.of(new PairedTable.Column("length ratio", Better.NEITHER, 1)))
                .row("same", PairedTable.Cell.paired(none))
                .row("unknown", PairedTable.Cell.value(Double.NaN))
                .markdown();
        assertThat(md).isEqualTo("| arm | length ratio |\n|---|---|\n| same | 2.0 (+0.0 [+0.0, +0.0]) |\n| unknown | — |\n");
        assertThatThrownBy(() -> new PairedTable("method", COLUMNS).row("CPO", PairedTable.Cell.value(1)))
                .hasMessage("paired table: row 'CPO' has 1 cells but the table 3 columns");
    }
}
