package io.cpo4j.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The tables of {@link LoraStepBenchmark}: each LoRA step's time over the full fine-tuning step's,
 * call by call, and where each side's measured steps spent their time.
 */
final class LoraTable {

    static final String BENCHMARK = "LoraStepBenchmark.step";
    static final double TARGET = 0.6;
    static final List<String> PHASES = List.of("sampling", "scoring", "backward", "optimizer");

    private LoraTable() {}

    static void write(StringBuilder md, List<JmhRun.Timing> rows, Map<String, String> notes) {
        md.append("Each call runs one CPO step (K = ").append(LoraStepBenchmark.K).append(", autoregressive negatives, ")
          .append(LoraStepBenchmark.EXAMPLES).append(" examples of ").append(LoraStepBenchmark.PREFIX).append(" + ").append(LoraStepBenchmark.CONTINUATION)
          .append(" tokens) fine-tuning all of GPT-2 124M beside a frozen copy, one with LoRA (r = ").append(LoraStepBenchmark.RANK)
          .append(" on c_attn, c_proj, c_fc) on its float32 base, and one on its bf16 base, in an order that rotates from call to call;")
          .append(" each ratio is taken within a call, then the median over calls.\n\n")
          .append("| threads | calls | full fine-tuning, ms per step | LoRA, f32 base | LoRA, bf16 base | LoRA f32 / full | LoRA bf16 / full | target ≤ ")
          .append(TARGET).append(" |\n|---|---|---|---|---|---|---|---|\n");
        for (JmhRun.Timing t : rows) {
            double[] full = ModelTables.inOrderKey(notes, "lora.ms." + t.threads() + ".full");
            double[] lora = ModelTables.inOrderKey(notes, "lora.ms." + t.threads() + ".lora");
            double[] half = ModelTables.inOrderKey(notes, "lora.ms." + t.threads() + ".lora-bf16");
            int n = Math.min(full.length, Math.min(lora.length, half.length));
            if (n == 0) {
                md.append("| ").append(t.threads()).append(" | 0 | n/a | n/a | n/a | n/a | n/a | n/a |\n");
                continue;
            }
            double r = medianRatio(lora, full, n), rh = medianRatio(half, full, n);
            md.append(String.format(Locale.ROOT, "| %d | %d | %.0f | %.0f | %.0f | %.2f | %.2f | %s |%n", t.threads(), n, ModelTables.median(full),
                    ModelTables.median(lora), ModelTables.median(half), r, rh, Math.min(r, rh) <= TARGET ? "met" : "**missed**"));
        }
        md.append("\nWhere the measured steps spent their time (share of the phases' sum; `sampling` makes the negatives, `scoring` is the")
          .append(" reference's and the policy's forward and the loss, `optimizer` combines, clips and applies the gradients):\n\n")
          .append("| threads | side | sampling | scoring | backward | optimizer | phases' sum, s |\n|---|---|---|---|---|---|---|\n");
        for (JmhRun.Timing t : rows) {
            for (String side : LoraStepBenchmark.SIDES) {
                Map<String, Double> p = phases(notes, t.threads(), side);
                double sum = p.values().stream().mapToDouble(Double::doubleValue).sum();
                if (sum == 0) continue;
                List<String> cells = new ArrayList<>();
                for (String phase : PHASES) cells.add(String.format(Locale.ROOT, "%.0f%%", 100 * p.getOrDefault(phase, 0.0) / sum));
                md.append(String.format(Locale.ROOT, "| %d | %s | %s | %.1f |%n", t.threads(), side, String.join(" | ", cells), sum));
            }
        }
    }

    private static double medianRatio(double[] a, double[] b, int n) {
        double[] ratio = new double[n];
        for (int i = 0; i < n; i++) ratio[i] = a[i] / b[i];
        return ModelTables.median(ratio);
    }

    private static Map<String, Double> phases(Map<String, String> notes, int threads, String side) {
        Map<String, Double> p = new LinkedHashMap<>();
        for (String phase : PHASES) {
            String v = notes.get("lora.phase." + threads + "." + side + "." + phase);
            if (v != null) p.put(phase, Double.parseDouble(v));
        }
        return p;
    }
}
