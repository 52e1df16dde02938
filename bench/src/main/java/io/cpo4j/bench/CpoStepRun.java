package io.cpo4j.bench;

import io.cpo4j.engine.DType;
import io.cpo4j.engine.Rng;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.kernels.HalfFloats;
import io.cpo4j.engine.kernels.Parallel;
import io.cpo4j.cpo.train.CpoTrainer;
import io.cpo4j.model.gpt.GptConfig;
import io.cpo4j.model.lm.LanguageModel;
import io.cpo4j.model.lm.MemoryEstimate;
import io.cpo4j.model.lm.ModelConfig;
import io.cpo4j.model.llama.LlamaConfig;
import io.cpo4j.model.lora.LoraConfig;
import io.cpo4j.model.train.Trainer;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs issue 21's CPO step (K = 4, autoregressive negatives, 8 examples of 64 + 64 tokens, 2 per
 * micro-batch) on a model shape of any size, one setting per JVM, and prints one {@code key=value}
 * line per figure: seconds per step and per phase (sampling, scoring, backward, optimizer), the
 * peak heap (the most the heap held after any collection: run it with a small young generation,
 * e.g. {@code -XX:+UseG1GC -Xmn512m}, so collections are frequent and the peak is close to the
 * live peak) and the same step's estimate. Weights are random (shapes and memory are what matter);
 * a half-precision base is filled tensor by tensor, never as a float32 model.
 *
 * <p>{@code java -Xmx20g -XX:+UseG1GC -Xmn512m -cp … io.cpo4j.bench.CpoStepRun SHAPE SIDE DTYPE STEPS THREADS [recompute]}
 * with SHAPE a GPT-2 or Llama preset ({@code gpt2}, {@code gpt2-xl}, {@code open-llama-3b}, …),
 * SIDE {@code full} (fine-tunes every weight beside a frozen copy) or {@code lora} (r = 16, α = 32
 * on every projection of the family), DTYPE the LoRA base's {@code f32}, {@code bf16} or {@code f16}.
 */
public final class CpoStepRun {

    public static void main(String[] args) {
        if (args.length < 5) {
            System.err.println("usage: CpoStepRun SHAPE full|lora f32|bf16|f16 STEPS THREADS [recompute]");
            System.exit(2);
        }
        String shape = args[0], side = args[1];
        DType dtype = DType.valueOf(args[2].toUpperCase(Locale.ROOT));
        int steps = Integer.parseInt(args[3]), threads = Integer.parseInt(args[4]);
        boolean recompute = args.length > 5 && args[5].equals("recompute");
        Parallel.setThreads(threads);
        AtomicLong peak = HeapPeak.watch();
        ModelConfig config = config(shape);
        LanguageModel policy;
        if (side.equals("full")) {
            policy = config.create(1);
        } else {
            LanguageModel base = dtype.isHalf() ? randomHalfBase(config, dtype, 1) : config.create(1).freeze(true);
            List<String> targets = config.modelType().equals("gpt2") ? List.of("c_attn", "c_proj", "c_fc")
                    : List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");
            policy = base.withLora(new LoraConfig(LoraStepBenchmark.RANK, 2f * LoraStepBenchmark.RANK, 0f, targets), 2);
        }
        policy.setGradientCheckpointing(recompute);
        CpoTrainer cpo = new CpoTrainer(policy, LoraStepBenchmark.examples(config.vocabSize()), LoraStepBenchmark.recipe());
        Trainer trainer = cpo.trainer();
        int rows = LoraStepBenchmark.PER_MICRO_BATCH * LoraStepBenchmark.K;
        int time = Math.min(trainer.config().blockSize(), config.contextLength());
        MemoryEstimate estimate = MemoryEstimate.training(config, rows, time, recompute);
        if (policy.lora().isPresent()) estimate = estimate.withAdapters(config, policy.baseDType(), policy.parameters().count());
        print("shape", shape);
        print("side", side + (side.equals("lora") ? " r=" + LoraStepBenchmark.RANK + " " + dtype : ""));
        print("threads", threads);
        print("trainable", policy.parameters().count());
        print("estimate.bytes", estimate.totalBytes());
        print("heap.max", Runtime.getRuntime().maxMemory());
        for (int s = 0; s < steps; s++) {
            long t0 = System.nanoTime();
            Map<String, Double> metrics = trainer.step();
            double seconds = (System.nanoTime() - t0) / 1e9;
            print("step." + s + ".seconds", String.format(Locale.ROOT, "%.2f", seconds));
            print("step." + s + ".loss", metrics.get("loss"));
            String prefix = "step." + s + ".";
            trainer.lastPhaseSeconds().forEach((k, v) -> print(prefix + k, String.format(Locale.ROOT, "%.2f", v)));
        }
        print("heap.peak", peak.get());
        System.gc();
        print("heap.rest", ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        Parallel.setThreads(1);
    }

    static ModelConfig config(String shape) {
        ModelConfig c = shape.startsWith("gpt2") ? GptConfig.preset(shape) : LlamaConfig.preset(shape);
        return c.withContextLength(256);
    }

    /**
     * A frozen half-precision base of random weights: matrices normal(0, 0.02), norm gains 1, biases 0,
     * each tensor drawn in float32 and rounded on its own, so no float32 copy of the model ever exists.
     */
    static LanguageModel randomHalfBase(ModelConfig config, DType dtype, long seed) {
        LanguageModel base = config.allocateFrozen(dtype, seed);
        Rng rng = new Rng(seed);
        for (Tensor w : base.weights()) {
            float[] v = new float[w.size()];
            boolean gain = w.shape().length == 1 && (w.name().contains("ln") || w.name().contains("norm"));
            if (gain) java.util.Arrays.fill(v, 1f);
            else if (w.shape().length > 1) for (int i = 0; i < v.length; i++) v[i] = (float) (0.02 * rng.nextGaussian());
            if (w.isHalf()) HalfFloats.narrow(v, 0, w.halfData(), w.offset(), v.length, w.dtype() == DType.BF16);
            else System.arraycopy(v, 0, w.data(), w.offset(), v.length);
        }
        return base;
    }

    private static void print(String key, Object value) {
        System.out.println(key + "=" + value);
        System.out.flush();
    }
}
