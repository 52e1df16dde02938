package io.cpo4j.cli;

import io.cpo4j.model.train.TrainingRun;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Training progress for people: on a terminal one line redrawn in place (a bar, step, loss,
 * tokens/s, ETA); otherwise (a log file, CI) a plain line every {@code everySeconds} and at the end.
 */
final class Progress implements TrainingRun.Listener {

    private final PrintStream out;
    private final boolean terminal;
    private final String label;
    private final double everySeconds;
    private final java.util.List<String> extra;
    private final long start = System.nanoTime();
    private long lastPrint;
    private int firstStep = -1;
    private double smoothedTokensPerSec;

    Progress(PrintStream out, String label, boolean terminal, double everySeconds) {
        this(out, label, terminal, everySeconds, java.util.List.of());
    }

    /** {@code extra}: metrics shown after the loss when a step reports them (e.g. rewards/accuracies). */
    Progress(PrintStream out, String label, boolean terminal, double everySeconds, java.util.List<String> extra) {
        this.out = out;
        this.label = label;
        this.terminal = terminal;
        this.everySeconds = everySeconds;
        this.extra = java.util.List.copyOf(extra);
    }

    static Progress forConsole(PrintStream out, String label, String... extra) {
        return new Progress(out, label, System.console() != null, 10, java.util.List.of(extra));
    }

    @Override
    public void onStep(int step, int total, Map<String, Double> m) {
        double tps = m.getOrDefault("tokens_per_sec", 0.0);
        smoothedTokensPerSec = smoothedTokensPerSec == 0 ? tps : 0.9 * smoothedTokensPerSec + 0.1 * tps;
        long now = System.nanoTime();
        boolean last = step >= total;
        if (!terminal && !last && (now - lastPrint) / 1e9 < everySeconds) return;
        lastPrint = now;
        double elapsed = (now - start) / 1e9;
        if (firstStep < 0) firstStep = step;                     // a resumed run starts past 1
        int done = step - firstStep + 1;
        double eta = done <= 0 ? 0 : elapsed / done * (total - step);
        String skipped = m.getOrDefault("skipped", 0.0) > 0 ? " (skipped: non-finite)" : "";
        StringBuilder more = new StringBuilder();
        for (String k : extra) if (m.containsKey(k)) more.append(String.format(Locale.ROOT, "  %s %.3f", k, m.get(k)));
        String line = String.format(Locale.ROOT, "%s step %d/%d  loss %.4f%s  %s tok/s  ETA %s%s", label, step, total,
                m.getOrDefault("loss", Double.NaN), more, compact(smoothedTokensPerSec), duration(eta), skipped);
        if (terminal) {
            int width = 20, filled = total == 0 ? width : (int) ((long) width * step / total);
            out.print("\r[" + "=".repeat(filled) + " ".repeat(width - filled) + "] " + line + "   ");
            if (last) out.println();
        } else {
            out.println(line);
        }
        out.flush();
    }

    @Override
    public void onValidation(int step, Map<String, Double> metrics) {
        if (terminal) out.println();
        StringBuilder sb = new StringBuilder(label + " validation at step " + step + ":");
        metrics.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "  %s %.4f", k, v)));
        out.println(sb);
    }

    @Override
    public void onCheckpoint(int step, Path folder) {
        if (!terminal) out.println(label + " checkpoint " + folder);
    }

    static String compact(double v) {
        if (v >= 1e6) return String.format(Locale.ROOT, "%.1fM", v / 1e6);
        if (v >= 1e3) return String.format(Locale.ROOT, "%.1fk", v / 1e3);
        return String.format(Locale.ROOT, "%.0f", v);
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s >= 3600) return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
        if (s >= 60) return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        return s + "s";
    }
}
