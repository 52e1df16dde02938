package io.cpo4j.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs {@link CpoStepRun} once per setting, each in a fresh JVM ({@code -Xmx20g}, G1 with a 512 MB
 * young generation so that collections are frequent, the buffer pool off so that the heap after a
 * collection is live data), and writes {@code bench/results/<date>.md}: seconds per step, the share
 * of each phase, the peak heap after any collection and the step's estimate.
 *
 * <pre>bench/run.sh cpo-steps [--steps N] [--threads T] [--xmx 20g] [--out DIR] SHAPE:SIDE:DTYPE[:recompute] …</pre>
 * e.g. {@code gpt2:full:f32 gpt2:lora:bf16:recompute gpt2-xl:lora:bf16:recompute open-llama-3b:lora:bf16:recompute}.
 */
public final class CpoStepTable {

    static final List<String> PHASES = List.of("sampling", "scoring", "backward", "optimizer");

    public static void main(String[] args) throws IOException, InterruptedException {
        int steps = 1, threads = 2;
        String xmx = "20g";
        Path out = Path.of(System.getProperty("cpo4j.root", ".")).resolve("bench/results");
        List<String> settings = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--xmx" -> xmx = args[++i];
                case "--out" -> out = Path.of(args[++i]);
                default -> settings.add(args[i]);
            }
        }
        if (settings.isEmpty()) {
            System.err.println("usage: bench/run.sh cpo-steps [--steps N] [--threads T] [--xmx 20g] [--out DIR] SHAPE:SIDE:DTYPE[:recompute] ...");
            System.exit(2);
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        List<Map<String, String>> rows = new ArrayList<>();
        for (String s : settings) {
            String[] p = s.split(":");
            if (p.length < 3) throw new IllegalArgumentException("setting '" + s + "': expected SHAPE:SIDE:DTYPE[:recompute]");
            List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector", "-Xmx" + xmx, "-XX:+UseG1GC", "-Xmn512m",
                    "-Dcpo4j.recycle=false", "-cp", System.getProperty("java.class.path"), CpoStepRun.class.getName(),
                    p[0], p[1], p[2], Integer.toString(steps), Integer.toString(threads)));
            if (p.length > 3) cmd.add(p[3]);
            System.err.println("cpo-steps: " + s + " (" + Machine.loadAverage() + ")");
            Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            Map<String, String> row = new LinkedHashMap<>();
            row.put("setting", s);
            List<String> lines = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            for (String l : lines) {
                int eq = l.indexOf('=');
                if (eq > 0 && !l.contains(" ")) row.put(l.substring(0, eq), l.substring(eq + 1));
                else if (eq > 0 && l.startsWith("side=")) row.put("side", l.substring(eq + 1));
            }
            if (proc.waitFor() != 0) row.put("error", lines.stream().filter(l -> l.contains("Exception") || l.contains("Error")).findFirst().orElse("exit " + proc.exitValue()));
            rows.add(row);
            System.err.println("cpo-steps: " + row);
        }
        Files.createDirectories(out);
        Path file = out.resolve(LocalDate.now() + ".md");
        for (int i = 2; Files.exists(file); i++) file = out.resolve(LocalDate.now() + "-" + i + ".md");
        String command = "bench/run.sh cpo-steps " + String.join(" ", args);
        Files.writeString(file, markdown(command, Machine.describe(), xmx, steps, threads, rows));
        System.err.println("cpo-steps: wrote " + file);
    }

    static String markdown(String command, Machine m, String xmx, int steps, int threads, List<Map<String, String>> rows) {
        StringBuilder md = new StringBuilder("# cpo4j: CPO steps by model shape, " + LocalDate.now() + "\n\n");
        md.append("- command: `").append(command).append("`\n- JDK: ").append(m.jdk()).append("\n- CPU: ").append(m.cpu()).append(", ")
          .append(m.cores()).append(" cores visible\n\n");
        md.append("The step is issue 21's: K = 4, autoregressive negatives sampled from the reference (up to 1.5× the truth's length), ")
          .append("8 examples of 64 + 64 tokens, 2 per micro-batch; random weights (shapes and memory are what matter). ")
          .append("`full` fine-tunes every weight beside a frozen float32 copy; `lora` trains r = 16, α = 32 adapters on every projection ")
          .append("(c_attn, c_proj, c_fc; q/k/v/o_proj, gate/up/down_proj) over a frozen base in the given precision. ")
          .append("Each setting runs in its own JVM (-Xmx").append(xmx).append(", G1 with a 512 MB young generation, the buffer pool off: ")
          .append("`-Dcpo4j.recycle=false`), ").append(threads).append(" threads, ").append(steps).append(steps == 1 ? " step" : " steps")
          .append(" (the last one reported). Peak heap: the most the heap held after any collection (live data, at most a young ")
          .append("generation's allocations after it unseen); estimate: `MemoryEstimate`, the gate that refuses a run before allocating.\n\n");
        md.append("| setting | trainable parameters | s per step | sampling | scoring | backward | optimizer | peak heap, GiB | estimate, GiB |\n")
          .append("|---|---|---|---|---|---|---|---|---|\n");
        for (Map<String, String> r : rows) {
            String last = "step." + (steps - 1) + ".";
            md.append("| ").append(r.getOrDefault("shape", "?")).append(" ").append(r.getOrDefault("side", r.get("setting")));
            if (r.get("setting").endsWith(":recompute")) md.append(", recompute");
            if (r.containsKey("error")) {
                md.append(" | ").append(r.getOrDefault("trainable", "n/a")).append(" | failed: ").append(r.get("error").replace('|', '/')).append(" | | | | | | ")
                  .append(gib(r.get("estimate.bytes"))).append(" |\n");
                continue;
            }
            double total = 0;
            for (String ph : PHASES) total += Double.parseDouble(r.getOrDefault(last + ph, "0"));
            md.append(" | ").append(r.get("trainable")).append(" | ").append(r.get(last + "seconds"));
            for (String ph : PHASES) md.append(String.format(Locale.ROOT, " | %.0f%%", 100 * Double.parseDouble(r.getOrDefault(last + ph, "0")) / total));
            md.append(" | ").append(gib(r.get("heap.peak"))).append(" | ").append(gib(r.get("estimate.bytes"))).append(" |\n");
        }
        return md.toString();
    }

    private static String gib(String bytes) {
        return bytes == null ? "n/a" : String.format(Locale.ROOT, "%.2f", Long.parseLong(bytes) / (double) (1L << 30));
    }
}
