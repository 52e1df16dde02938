package io.cpo4j.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The table of {@link LoraStepBenchmark}: the LoRA step's time over the full fine-tuning step's, call by call. */
final class LoraTable {

    static final String BENCHMARK = "LoraStepBenchmark.step";
    static final double TARGET = 0.6;

    private LoraTable() {}

    static void write(StringBuilder md, List<JmhRun.Timing> rows, Map<String, String> notes) {
        md.append("Each call runs one CPO step (K = ").append(LoraStepBenchmark.K).append(", autoregressive negatives, ")
          .append(LoraStepBenchmark.EXAMPLES).append(" examples of ").append(LoraStepBenchmark.PREFIX).append(" + ").append(LoraStepBenchmark.CONTINUATION)
          .append(" tokens) fine-tuning all of GPT-2 124M beside a frozen copy, and one with LoRA (r = ").append(LoraStepBenchmark.RANK)
          .append(" on c_attn, c_proj, c_fc) on its float32 base, in an order that rotates from call to call; the ratio is taken within each call.\n\n")
          .append("| threads | calls | full fine-tuning, ms per step | LoRA, ms per step | LoRA / full, median of calls | target ≤ ").append(TARGET).append(" |\n")
          .append("|---|---|---|---|---|---|\n");
        for (JmhRun.Timing t : rows) {
            double[] full = ModelTables.inOrderKey(notes, "lora.ms." + t.threads() + ".full");
            double[] lora = ModelTables.inOrderKey(notes, "lora.ms." + t.threads() + ".lora");
            int n = Math.min(full.length, lora.length);
            if (n == 0) {
                md.append("| ").append(t.threads()).append(" | 0 | n/a | n/a | n/a | n/a |\n");
                continue;
            }
            double[] ratio = new double[n];
            for (int i = 0; i < n; i++) ratio[i] = lora[i] / full[i];
            double r = ModelTables.median(ratio);
            md.append(String.format(Locale.ROOT, "| %d | %d | %.0f | %.0f | %.2f | %s |%n", t.threads(), n, ModelTables.median(full), ModelTables.median(lora),
                    r, r <= TARGET ? "met" : "**missed**"));
        }
    }
}
