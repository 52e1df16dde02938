package io.cpo4j.spark.ring;

import io.cpo4j.engine.Rng;
import io.cpo4j.model.data.BatchShare;
import io.cpo4j.model.data.RandomWindows;
import io.cpo4j.model.data.TokenShard;
import io.cpo4j.model.gpt.Gpt;
import io.cpo4j.model.gpt.GptConfig;
import io.cpo4j.model.train.GradientReducer;
import io.cpo4j.model.train.NextTokenObjective;
import io.cpo4j.model.train.TrainConfig;
import io.cpo4j.model.train.Trainer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Data-parallel training steps on the ring, with the gradient averaged after the backward pass or in buckets during it. */
class RingReducerTest {

    static final GptConfig MODEL = new GptConfig(40, 16, 2, 2, 32, 0f, 1e-5f);

    static TokenShard tokens() {
        int[] ids = new int[2000];
        Rng rng = new Rng(3);
        for (int i = 0; i < ids.length; i++) ids[i] = rng.nextInt(MODEL.vocabSize());
        return TokenShard.of(ids);
    }

    /** Trains one replica on {@code ring} for 4 steps of a global batch of 4 (2 micro-batches); its weights and its last metrics. */
    static Object[] train(Ring ring, GradientReducer reducer) {
        Gpt gpt = Gpt.create(MODEL, 1);
        TrainConfig tc = TrainConfig.builder().batchSize(4 / ring.size()).gradAccumSteps(2).blockSize(16).maxSteps(4).learningRate(3e-3f).warmupSteps(0)
                .evalEvery(0).checkpointEvery(0).seed(1).build();
        Trainer t = new Trainer(gpt, tc, new NextTokenObjective(gpt, new BatchShare(new RandomWindows(tokens(), 16, 2), ring.rank(), ring.size())), reducer);
        Map<String, Double> last = null;
        while (!t.finished()) last = t.step();
        return new Object[] {gpt.parameters().values().clone(), last};
    }

    static List<Object[]> onTwo(long bucketBytes, int[] buckets) throws Exception {
        try (Rings rings = Rings.join(2, Duration.ofSeconds(30), 64)) {
            return rings.onEach(ring -> {
                try (RingReducer reducer = new RingReducer(ring, bucketBytes)) {
                    Object[] out = train(ring, reducer);
                    if (ring.rank() == 0) buckets[0] = reducer.bucketsSent();
                    return out;
                }
            });
        }
    }

    @Test
    void bucketsSentDuringTheBackwardPassGiveEveryReplicaTheSameBitsAndAgreeWithAveragingAfterIt() throws Exception {
        int[] buckets = {0};
        List<Object[]> after = onTwo(0, buckets);
        assertThat(buckets[0]).isZero();
        List<Object[]> during = onTwo(4096, buckets);
        int bucketsDuring = buckets[0];
        List<Object[]> again = onTwo(4096, buckets);

        float[] a = (float[]) after.get(0)[0], d = (float[]) during.get(0)[0];
        assertThat(d).as("replicas identical").isEqualTo(during.get(1)[0]);
        assertThat(a).as("replicas identical").isEqualTo(after.get(1)[0]);
        assertThat(again.get(0)[0]).as("a run repeats bit for bit").isEqualTo(d);
        assertThat(bucketsDuring).as("4 steps of a 2-layer model's ~30 KB of gradients in 4 KB buckets").isGreaterThan(4 * 5);
        double maxDiff = 0;
        for (int i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - d[i]));
        assertThat(maxDiff).as("the sums are chunked differently, nothing else").isLessThan(1e-5);

        Object[] alone = train(Ring.single(), GradientReducer.LOCAL);
        float[] one = (float[]) alone[0];
        double fromOne = 0;
        for (int i = 0; i < a.length; i++) fromOne = Math.max(fromOne, Math.abs(one[i] - d[i]));
        assertThat(fromOne).as("2 replicas = 1 process with the same global batch").isLessThan(1e-5);
        Map<?, ?> first = (Map<?, ?>) during.get(0)[1], second = (Map<?, ?>) during.get(1)[1];
        for (String key : List.of("loss", "grad_norm")) assertThat(first.get(key)).as("every replica logs the same " + key).isEqualTo(second.get(key));
    }

    /** SFT (one backward over several length buckets) with recomputed blocks: a block runs once per bucket, so only the outer pass may call a weight final. */
    static float[] sft(Ring ring, GradientReducer reducer) {
        java.util.List<io.cpo4j.model.data.TokenizedExample> examples = new java.util.ArrayList<>();
        for (int i = 0; i < 12; i++) {
            int[] cont = new int[2 + (i * 5) % 9];                      // 2 … 10 tokens: several length buckets per batch
            for (int j = 0; j < cont.length; j++) cont[j] = 1 + (i + j) % 30;
            examples.add(new io.cpo4j.model.data.TokenizedExample(new int[] {35, 1 + i}, cont));
        }
        Gpt gpt = Gpt.create(MODEL, 1);
        gpt.setGradientCheckpointing(true);
        TrainConfig tc = TrainConfig.builder().batchSize(8 / ring.size()).blockSize(16).maxSteps(3).learningRate(3e-3f).warmupSteps(0)
                .evalEvery(0).checkpointEvery(0).seed(1).build();
        var recipe = io.cpo4j.cpo.train.CpoConfig.builder().lossType(io.cpo4j.cpo.train.LossType.MLE).eosToken(0).training(tc).build();
        Trainer t = new io.cpo4j.cpo.train.CpoTrainer(gpt, null, examples, recipe, new io.cpo4j.model.train.Replica(ring.rank(), ring.size(), reducer)).trainer();
        while (!t.finished()) t.step();
        return gpt.parameters().values().clone();
    }

    @Test
    void recomputedBlocksThatRunOncePerLengthBucketAreAveragedOnlyWhenTheirGradientIsWhole() throws Exception {
        List<List<float[]>> runs = new java.util.ArrayList<>();
        for (long bucket : new long[] {0, 1024}) {
            try (Rings rings = Rings.join(2, Duration.ofSeconds(30), 64)) {
                runs.add(rings.onEach(ring -> {
                    try (RingReducer reducer = new RingReducer(ring, bucket)) {
                        return sft(ring, reducer);
                    }
                }));
            }
        }
        float[] after = runs.get(0).get(0), during = runs.get(1).get(0);
        assertThat(runs.get(1).get(1)).as("replicas identical").isEqualTo(during);
        double maxDiff = 0;
        for (int i = 0; i < after.length; i++) maxDiff = Math.max(maxDiff, Math.abs(after[i] - during[i]));
        assertThat(maxDiff).as("buckets during the pass = averaging after it, up to the sums' chunking").isLessThan(1e-5);
    }
}
