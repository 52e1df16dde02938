package io.cpo4j.bench;

import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.Rng;
import io.cpo4j.engine.Tensor;
import io.cpo4j.model.gpt.GptConfig;
import io.cpo4j.model.lm.LanguageModel;
import io.cpo4j.model.lm.MemoryEstimate;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Locale;

/**
 * Measures (prints, asserts nothing) one GPT-2 124M training step at batch 4 × 256 with or without
 * gradient checkpointing: the heap the graph holds after the forward pass (after a full GC), the
 * heap's peak over the step, and the estimate. One setting per JVM:
 * {@code java -Xmx8g -cp ... io.cpo4j.bench.CheckpointingMemoryProbe stored|recomputed}.
 */
public final class CheckpointingMemoryProbe {

    public static void main(String[] args) {
        boolean recompute = args.length > 0 && args[0].equals("recomputed");
        int batch = 4, time = 256;
        GptConfig config = GptConfig.gpt2();
        LanguageModel model = config.create(1);
        model.setGradientCheckpointing(recompute);
        Rng rng = new Rng(2);
        int[] ids = new int[batch * time], targets = new int[batch * time];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = rng.nextInt(config.vocabSize());
            targets[i] = rng.nextInt(config.vocabSize());
        }
        long base = usedAfterGc();
        resetPeaks();
        long t0 = System.nanoTime();
        Tensor loss = model.loss(ids, targets, batch, time);
        long t1 = System.nanoTime();
        long held = usedAfterGc() - base;
        resetPeaks();
        long t2 = System.nanoTime();
        Autograd.backwardAndRecycle(loss, new float[] {1f});
        long t3 = System.nanoTime();
        long peak = peakUsed();
        MemoryEstimate e = MemoryEstimate.training(config, batch, time, recompute);
        System.out.printf(Locale.ROOT, "%s: parameters+grads %.0f MiB; graph after forward %.0f MiB; heap peak in backward %.0f MiB;"
                        + " estimate: activations %.0f MiB, total %.0f MiB; forward %.1f s, backward %.1f s%n",
                recompute ? "recomputed" : "stored", base / 1048576.0, held / 1048576.0, peak / 1048576.0,
                e.activationBytes() / 1048576.0, e.totalBytes() / 1048576.0, (t1 - t0) / 1e9, (t3 - t2) / 1e9);
    }

    private static long usedAfterGc() {
        for (int i = 0; i < 3; i++) System.gc();
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    private static void resetPeaks() {
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) if (p.getType() == MemoryType.HEAP) p.resetPeakUsage();
    }

    /** Sum of the heap pools' peaks (an upper bound of the heap's peak: the pools peak at different times). */
    private static long peakUsed() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) if (p.getType() == MemoryType.HEAP) sum += p.getPeakUsage().getUsed();
        return sum;
    }
}
