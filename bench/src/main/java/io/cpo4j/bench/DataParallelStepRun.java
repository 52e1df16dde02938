package io.cpo4j.bench;

import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.Rng;
import io.cpo4j.engine.kernels.Parallel;
import io.cpo4j.engine.nn.Parameters;
import io.cpo4j.model.Presets;
import io.cpo4j.model.data.BatchShare;
import io.cpo4j.model.data.RandomWindows;
import io.cpo4j.model.data.TokenShard;
import io.cpo4j.model.lm.LanguageModel;
import io.cpo4j.model.lm.ModelConfig;
import io.cpo4j.model.train.GradientReducer;
import io.cpo4j.model.train.NextTokenObjective;
import io.cpo4j.model.train.TrainConfig;
import io.cpo4j.model.train.Trainer;
import io.cpo4j.spark.ring.Ring;
import io.cpo4j.spark.ring.RingListener;
import io.cpo4j.spark.ring.RingReducer;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The data-parallel training step of issue 23 on one machine: next-token training of a preset
 * (GPT-2 124M by default) at B × T tokens <em>per replica</em>, as
 * <ul>
 *   <li>1 replica × 1 thread, 1 replica × 2 threads (no communication), and</li>
 *   <li>2 replicas × 1 thread each: two replicas on two threads of this JVM, joined by the ring
 *       all-reduce over loopback as two Spark tasks would be (the global batch is 2·B).</li>
 * </ul>
 * Prints, per setting, the median seconds per step after one warm-up step, tokens per second, and
 * for the ring the seconds spent in all-reduces as a share of the step and the share the step
 * spent waiting for them — all of it when the gradient is averaged after the backward pass, less
 * when 25 MB buckets travel during it (on a communication thread). Weights and tokens are random.
 *
 * <p>{@code java -Xmx16g -cp … io.cpo4j.bench.DataParallelStepRun [PRESET B T STEPS]}
 * ({@code bench/run.sh data-parallel [PRESET B T STEPS]}).
 */
public final class DataParallelStepRun {

    public static void main(String[] args) throws Exception {
        String preset = args.length > 0 ? args[0] : "gpt2";
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 4, block = args.length > 2 ? Integer.parseInt(args[2]) : 256;
        int steps = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        ModelConfig config = Presets.of(preset);
        int[] ids = new int[200_000];
        Rng rng = new Rng(5);
        for (int i = 0; i < ids.length; i++) ids[i] = rng.nextInt(config.vocabSize());
        TokenShard tokens = TokenShard.of(ids);

        System.out.printf(Locale.ROOT, "data-parallel step: %s, %d × %d tokens per replica, median of %d steps after 1 warm-up; %s, %d cores%n%n",
                preset, batch, block, steps, Runtime.version(), Runtime.getRuntime().availableProcessors());
        System.out.println("| setting | seconds per step | tokens/s | in all-reduces | waiting for them | parallel efficiency |");
        System.out.println("|---|---|---|---|---|---|");
        double one = row("1 replica × 1 thread", config, tokens, batch, block, steps, 1, 1, 0, Double.NaN);
        row("1 replica × 2 threads", config, tokens, batch, block, steps, 1, 2, 0, one);
        row("2 replicas × 1 thread, all-reduce after the backward pass", config, tokens, batch, block, steps, 2, 1, 0, one);
        row("2 replicas × 1 thread, 25 MB buckets during the backward pass", config, tokens, batch, block, steps, 2, 1, RingReducer.DEFAULT_BUCKET_BYTES, one);
    }

    /** One setting's row; returns its tokens per second. */
    static double row(String name, ModelConfig config, TokenShard tokens, int batch, int block, int steps, int replicas, int threads, long bucketBytes,
                      double baseline) throws Exception {
        Parallel.setThreads(threads);
        List<double[]> perReplica = run(config, tokens, batch, block, steps, replicas, bucketBytes);
        double[] seconds = perReplica.get(0), comm = perReplica.get(1), waited = perReplica.get(2);
        double step = median(seconds), share = median(comm) / step, exposed = median(waited) / step;
        double tps = (double) replicas * batch * block / step;
        int workers = replicas * threads;
        String efficiency = Double.isNaN(baseline) ? "1 (baseline)" : String.format(Locale.ROOT, "%.2f", tps / (workers * baseline));
        System.out.printf(Locale.ROOT, "| %s | %.2f | %.0f | %s | %s | %s |%n", name, step, tps, replicas > 1 ? String.format(Locale.ROOT, "%.1f%%", 100 * share) : "—",
                replicas > 1 ? String.format(Locale.ROOT, "%.1f%%", 100 * exposed) : "—", efficiency);
        System.out.flush();
        return tps;
    }

    /** Step seconds (rank 0's) and all-reduce seconds per step, after one warm-up step. */
    static List<double[]> run(ModelConfig config, TokenShard tokens, int batch, int block, int steps, int replicas, long bucketBytes) throws Exception {
        List<RingListener> listeners = new ArrayList<>();
        List<InetSocketAddress> members = new ArrayList<>();
        for (int r = 0; r < replicas && replicas > 1; r++) {
            RingListener l = RingListener.open(InetAddress.getLoopbackAddress());
            listeners.add(l);
            members.add(l.address());
        }
        ExecutorService pool = Executors.newFixedThreadPool(replicas);
        try {
            List<Future<double[][]>> futures = new ArrayList<>();
            for (int r = 0; r < replicas; r++) {
                int rank = r;
                futures.add(pool.submit(() -> {
                    try (Ring ring = replicas == 1 ? Ring.single() : Ring.join(rank, members, listeners.get(rank), Duration.ofMinutes(5))) {
                        return replica(config, tokens, batch, block, steps, ring, bucketBytes);
                    }
                }));
            }
            double[][] first = futures.get(0).get();
            for (int r = 1; r < replicas; r++) futures.get(r).get();
            return List.of(first[0], first[1], first[2]);
        } finally {
            pool.shutdownNow();
        }
    }

    private static double[][] replica(ModelConfig config, TokenShard tokens, int batch, int block, int steps, Ring ring, long bucketBytes) {
        LanguageModel model = config.create(1);
        TrainConfig tc = TrainConfig.builder().batchSize(batch).blockSize(block).maxSteps(steps + 1).learningRate(1e-4f).warmupSteps(0)
                .evalEvery(0).checkpointEvery(0).seed(1).build();
        RingReducer ringReducer = new RingReducer(ring, bucketBytes);
        double[] waiting = {0};
        GradientReducer reducer = new GradientReducer() {                         // times how long the step waits in reduce
            @Override
            public void reduce(float[] gradients) {
                long t0 = System.nanoTime();
                ringReducer.reduce(gradients);
                waiting[0] += (System.nanoTime() - t0) / 1e9;
            }

            @Override
            public Map<String, Double> reduceMetrics(Map<String, Double> metrics) {
                return ringReducer.reduceMetrics(metrics);
            }

            @Override
            public Autograd.GradientListener overlap(Parameters parameters) {
                return ringReducer.overlap(parameters);
            }
        };
        Trainer trainer = new Trainer(model, tc, new NextTokenObjective(model, new BatchShare(new RandomWindows(tokens, block, 2), ring.rank(), ring.size())),
                reducer);
        double[] seconds = new double[steps], comm = new double[steps], waited = new double[steps];
        trainer.step();                                                            // warm-up
        for (int s = 0; s < steps; s++) {
            double c0 = ring.commSeconds(), w0 = waiting[0];
            long t0 = System.nanoTime();
            trainer.step();
            seconds[s] = (System.nanoTime() - t0) / 1e9;
            comm[s] = ring.commSeconds() - c0;
            waited[s] = waiting[0] - w0;
        }
        ringReducer.close();
        return new double[][] {seconds, comm, waited};
    }

    static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
