package io.cpo4j.cli.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HtmlReportTest {

    @TempDir
    Path dir;

    @Test
    void metricsSurviveATornLastLineAndResumedStepsKeepTheirLatestValue() throws Exception {
        Path f = dir.resolve("metrics.jsonl");
        Files.writeString(f, """
                {"step":1,"kind":"train","loss":5.0}
                {"step":2,"kind":"train","loss":4.0}
                {"step":2,"kind":"train","loss":3.5}
                {"step":2,"kind":"validation","val/loss":4.2}
                {"step":3,"kind":"train","lo""");
        var m = MetricsReader.read(f);
        assertThat(m.get("train").get("loss")).containsEntry(1, 5.0).containsEntry(2, 3.5).hasSize(2);
        assertThat(m.get("validation").get("val/loss")).containsEntry(2, 4.2);
    }

    @Test
    void theReportIsOneOfflinePageWithChartsTablesAndSamples() throws Exception {
        HtmlReport r = new HtmlReport("demo <run>");
        r.chart(new SvgChart("loss").add("cpo", List.of(new double[] {1, 3}, new double[] {2, 2.5}, new double[] {3, 2}))
                .add("mle", List.of(new double[] {1, 3}, new double[] {3, 2.2})));
        r.table(List.of("model", "win rate"), List.of(List.of("cpo", "0.61 ± 0.03"), List.of("mle", "0.55 ± 0.03")));
        r.samples(List.of("truth", "cpo"), List.of("the old <farmers>"), List.of(List.of("sell apples .", "sell two apples .")));
        r.write(dir.resolve("report.html"));
        String html = Files.readString(dir.resolve("report.html"));
        assertThat(html).startsWith("<!DOCTYPE html>").contains("<svg").contains("<path d=\"M").contains("0.61 ± 0.03")
                .contains("demo &lt;run&gt;").contains("the old &lt;farmers&gt;").doesNotContain("<script").doesNotContain("http://cdn");
        assertThat(html.split("<path d=").length - 1).isEqualTo(2);
    }
}
