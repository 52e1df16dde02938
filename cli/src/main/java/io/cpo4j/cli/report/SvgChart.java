package io.cpo4j.cli.report;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A small line chart as inline SVG: several named series over a shared step axis, with a legend. */
public final class SvgChart {

    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"};
    private static final int W = 560, H = 300, LEFT = 60, RIGHT = 150, TOP = 28, BOTTOM = 36;

    private final String title;
    private final Map<String, List<double[]>> series = new LinkedHashMap<>();

    public SvgChart(String title) {
        this.title = title;
    }

    public SvgChart add(String name, List<double[]> points) {
        if (!points.isEmpty()) series.put(name, points);
        return this;
    }

    public boolean isEmpty() {
        return series.isEmpty();
    }

    public String render() {
        double minX = Double.MAX_VALUE, maxX = -Double.MAX_VALUE, minY = Double.MAX_VALUE, maxY = -Double.MAX_VALUE;
        for (List<double[]> pts : series.values()) {
            for (double[] p : pts) {
                if (!Double.isFinite(p[1])) continue;
                minX = Math.min(minX, p[0]);
                maxX = Math.max(maxX, p[0]);
                minY = Math.min(minY, p[1]);
                maxY = Math.max(maxY, p[1]);
            }
        }
        if (minX > maxX) return "";
        if (maxX == minX) maxX = minX + 1;
        if (maxY == minY) {
            maxY += 0.5;
            minY -= 0.5;
        }
        double pad = (maxY - minY) * 0.05;
        minY -= pad;
        maxY += pad;
        int plotW = W - LEFT - RIGHT, plotH = H - TOP - BOTTOM;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">", W, H, W, H));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" font-size=\"14\" font-weight=\"bold\">%s</text>", LEFT, Html.escape(title)));
        sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>", LEFT, TOP, plotW, plotH));
        for (int i = 0; i <= 4; i++) {
            double y = minY + (maxY - minY) * i / 4;
            double py = TOP + plotH - plotH * i / 4.0;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>", LEFT, LEFT + plotW, py, py));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" font-size=\"10\" text-anchor=\"end\">%s</text>", LEFT - 4, py + 3, label(y)));
            double x = minX + (maxX - minX) * i / 4;
            double px = LEFT + plotW * i / 4.0;
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\">%s</text>", px, H - BOTTOM + 14, label(x)));
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\">step</text>", LEFT + plotW / 2, H - 6));
        int c = 0;
        for (Map.Entry<String, List<double[]>> e : series.entrySet()) {
            String color = COLORS[c % COLORS.length];
            StringBuilder path = new StringBuilder();
            for (double[] p : e.getValue()) {
                if (!Double.isFinite(p[1])) continue;
                double px = LEFT + plotW * (p[0] - minX) / (maxX - minX), py = TOP + plotH - plotH * (p[1] - minY) / (maxY - minY);
                path.append(path.length() == 0 ? "M" : "L").append(String.format(Locale.ROOT, "%.1f %.1f ", px, py));
            }
            sb.append("<path d=\"").append(path).append("\" fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"1.5\"/>");
            int ly = TOP + 12 + 16 * c;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"/>", W - RIGHT + 8, W - RIGHT + 24, ly - 4, ly - 4, color));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>", W - RIGHT + 28, ly, Html.escape(e.getKey())));
            c++;
        }
        return sb.append("</svg>").toString();
    }

    private static String label(double v) {
        double a = Math.abs(v);
        if (a != 0 && (a < 0.01 || a >= 1e5)) return String.format(Locale.ROOT, "%.2e", v);
        if (a >= 100) return String.format(Locale.ROOT, "%.0f", v);
        return String.format(Locale.ROOT, "%.3g", v);
    }
}
