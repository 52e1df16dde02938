package io.cpo4j.cpo.train;

import io.cpo4j.model.gpt.Gpt;
import io.cpo4j.model.train.GradientReducer;
import io.cpo4j.model.train.Replica;
import io.cpo4j.model.train.Trainer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** The library's data-parallel seam without a cluster: replicas as threads, averaging through shared memory in rank order. */
class DataParallelTrainingTest {

    /** Averages gradients and metrics of {@code n} replicas running on threads, in rank order. */
    static final class SharedMemoryMean {
        final int n;
        final CyclicBarrier barrier;
        final float[][] grads;
        final List<Map<String, Double>> metrics = new ArrayList<>();

        SharedMemoryMean(int n) {
            this.n = n;
            this.barrier = new CyclicBarrier(n);
            this.grads = new float[n][];
            for (int i = 0; i < n; i++) metrics.add(null);
        }

        GradientReducer reducer(int rank) {
            return new GradientReducer() {
                @Override
                public void reduce(float[] g) {
                    grads[rank] = g.clone();
                    await();
                    for (int i = 0; i < g.length; i++) {
                        float sum = 0;
                        for (int r = 0; r < n; r++) sum += grads[r][i];
                        g[i] = sum / n;
                    }
                    await();
                }

                @Override
                public Map<String, Double> reduceMetrics(Map<String, Double> m) {
                    metrics.set(rank, m);
                    await();
                    Map<String, Double> mean = new LinkedHashMap<>();
                    for (String k : m.keySet()) {
                        double sum = 0;
                        for (int r = 0; r < n; r++) sum += metrics.get(r).get(k);
                        mean.put(k, sum / n);
                    }
                    await();
                    return mean;
                }
            };
        }

        private void await() {
            try {
                barrier.await();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Trains {@code replicas} replicas of {@code recipe} (global batch 4) for {@code steps} steps; each replica's weights and losses. */
    static List<Trainer> train(LossType type, int replicas, int steps) throws Exception {
        SharedMemoryMean mean = new SharedMemoryMean(replicas);
        ExecutorService pool = Executors.newFixedThreadPool(replicas);
        try {
            List<Future<Trainer>> runs = new ArrayList<>();
            for (int r = 0; r < replicas; r++) {
                int rank = r;
                runs.add(pool.submit(() -> {
                    CpoConfig recipe = ContrastiveTrainingTest.recipe(type, steps);
                    CpoConfig share = recipe.toBuilder().training(recipe.training().toBuilder().batchSize(4 / replicas).build()).build();
                    Trainer t = new CpoTrainer(Gpt.create(ContrastiveTrainingTest.CONFIG, 3), null, ContrastiveTrainingTest.examples(), share,
                            new Replica(rank, replicas, mean.reducer(rank))).trainer();
                    while (!t.finished()) t.step();
                    return t;
                }));
            }
            List<Trainer> out = new ArrayList<>();
            for (Future<Trainer> f : runs) out.add(f.get());
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void twoReplicasOfSupervisedFineTuningMatchOneProcessWithTheSameGlobalBatch() throws Exception {
        float[] alone = train(LossType.MLE, 1, 6).get(0).model().parameters().values();
        List<Trainer> pair = train(LossType.MLE, 2, 6);
        float[] first = pair.get(0).model().parameters().values(), second = pair.get(1).model().parameters().values();
        assertThat(first).as("replicas stay identical").isEqualTo(second);
        double maxDiff = 0, moved = 0;
        float[] start = Gpt.create(ContrastiveTrainingTest.CONFIG, 3).parameters().values();
        for (int i = 0; i < alone.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(first[i] - alone[i]));
            moved = Math.max(moved, Math.abs(alone[i] - start[i]));
        }
        assertThat(moved).as("training moved the weights").isGreaterThan(1e-3);
        assertThat(maxDiff).as("only the order of the gradient sums differs").isLessThan(1e-5);
    }

    @Test
    void cpoReplicasSampleTheirOwnNegativesYetStayIdentical() throws Exception {
        List<Trainer> pair = train(LossType.CPO, 2, 4);
        assertThat(pair.get(0).model().parameters().values()).isEqualTo(pair.get(1).model().parameters().values());
        Map<String, Long> a = pair.get(0).objective().state(), b = pair.get(1).objective().state();
        assertThat(a.get("data")).as("one data stream").isEqualTo(b.get("data"));
        assertThat(a.get("negatives")).as("each replica's own negatives stream").isNotEqualTo(b.get("negatives"));
        assertThat(new Replica(0, 2, GradientReducer.LOCAL).seed(7)).as("rank 0 draws what one process draws").isEqualTo(7);
        java.util.Set<Long> zero = new java.util.HashSet<>(), one = new java.util.HashSet<>();
        io.cpo4j.engine.Rng r0 = new io.cpo4j.engine.Rng(new Replica(0, 2, GradientReducer.LOCAL).seed(7)), r1 = new io.cpo4j.engine.Rng(new Replica(1, 2, GradientReducer.LOCAL).seed(7));
        for (int i = 0; i < 1000; i++) {
            zero.add(r0.nextLong());
            one.add(r1.nextLong());
        }
        zero.retainAll(one);
        assertThat(zero).as("rank 1's stream is not rank 0's a few draws on").isEmpty();
        float[] again = train(LossType.CPO, 2, 4).get(0).model().parameters().values();
        assertThat(again).as("a run repeats bit for bit").isEqualTo(pair.get(0).model().parameters().values());
        assertThat(pair.get(0).lastPhaseSeconds()).isNotEmpty();
    }
}
