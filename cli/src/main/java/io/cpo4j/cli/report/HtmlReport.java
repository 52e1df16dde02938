package io.cpo4j.cli.report;

import io.cpo4j.engine.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code report.html}: one self-contained page (inline SVG and CSS, no scripts, nothing fetched)
 * that opens offline — charts, tables and sample generations side by side, in the order added.
 */
public final class HtmlReport {

    private final String title;
    private final List<String> parts = new ArrayList<>();

    public HtmlReport(String title) {
        this.title = title;
    }

    public HtmlReport heading(String text) {
        parts.add("<h2>" + Html.escape(text) + "</h2>");
        return this;
    }

    public HtmlReport paragraph(String text) {
        parts.add("<p>" + Html.escape(text) + "</p>");
        return this;
    }

    /** Preformatted text (commands, configs). */
    public HtmlReport code(String text) {
        parts.add("<pre>" + Html.escape(text) + "</pre>");
        return this;
    }

    public HtmlReport chart(SvgChart chart) {
        if (!chart.isEmpty()) parts.add("<div class=\"chart\">" + chart.render() + "</div>");
        return this;
    }

    /** A table; the first column is a row label. */
    public HtmlReport table(List<String> headers, List<List<String>> rows) {
        StringBuilder sb = new StringBuilder("<table><thead><tr>");
        for (String h : headers) sb.append("<th>").append(Html.escape(h)).append("</th>");
        sb.append("</tr></thead><tbody>");
        for (List<String> row : rows) {
            sb.append("<tr>");
            for (String cell : row) sb.append("<td>").append(Html.escape(cell)).append("</td>");
            sb.append("</tr>");
        }
        parts.add(sb.append("</tbody></table>").toString());
        return this;
    }

    /** Sample generations: one row per prompt, one column per system (the reference first, say). */
    public HtmlReport samples(List<String> systems, List<String> prompts, List<List<String>> outputs) {
        StringBuilder sb = new StringBuilder("<table class=\"samples\"><thead><tr><th>prompt</th>");
        for (String s : systems) sb.append("<th>").append(Html.escape(s)).append("</th>");
        sb.append("</tr></thead><tbody>");
        for (int i = 0; i < prompts.size(); i++) {
            sb.append("<tr><td class=\"prompt\">").append(Html.escape(prompts.get(i))).append("</td>");
            for (String out : outputs.get(i)) sb.append("<td>").append(Html.escape(out)).append("</td>");
            sb.append("</tr>");
        }
        parts.add(sb.append("</tbody></table>").toString());
        return this;
    }

    public String render() {
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(Html.escape(title)).append("</title>\n");
        sb.append("<style>body{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}")
                .append("table{border-collapse:collapse;margin:1em 0;font-size:13px}th,td{border:1px solid #ccc;padding:4px 8px;vertical-align:top;text-align:left}")
                .append("th{background:#f4f4f4}td.prompt{color:#555;max-width:260px}.samples td{max-width:320px;white-space:pre-wrap}")
                .append(".chart{display:inline-block;margin:0.5em}pre{background:#f7f7f7;padding:0.6em;overflow-x:auto}</style></head><body>\n");
        sb.append("<h1>").append(Html.escape(title)).append("</h1>\n");
        for (String p : parts) sb.append(p).append('\n');
        return sb.append("</body></html>\n").toString();
    }

    public void write(Path file) throws IOException {
        AtomicFiles.writeString(file, render());
    }
}
