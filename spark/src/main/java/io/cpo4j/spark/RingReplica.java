package io.cpo4j.spark;

import io.cpo4j.cli.DataParallel;
import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.io.Json;
import io.cpo4j.engine.nn.Parameters;
import io.cpo4j.model.train.GradientReducer;
import io.cpo4j.model.train.Replica;
import io.cpo4j.model.train.Trainer;
import io.cpo4j.spark.ring.Ring;
import io.cpo4j.spark.ring.RingReducer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A replica of a data-parallel run whose gradients meet the others' on a {@link Ring}: the mean of
 * every replica's gradient and metrics ({@link RingReducer}: every replica gets the same bits,
 * buckets sent while the backward pass runs), and at every checkpoint a check that the replicas'
 * weights are still identical plus each replica's own random-stream positions, written by rank 0
 * into the checkpoint ({@value #STREAMS}) so that a resumed run continues every replica's stream.
 */
final class RingReplica implements DataParallel {

    /** Per-replica stream positions, beside rank 0's checkpoint: {@code [{"objective": {"data": …, "negatives": …}, "dropout_rng": …}, …]} by rank. */
    static final String STREAMS = "replicas.json";

    private final Ring ring;
    private final RingReducer reducer;
    private final Replica replica;
    private final StepHook hook;
    private final Publisher publisher;
    private long lastHash;

    /** Rank 0 hands each finished checkpoint (with {@value #STREAMS}) to the shared run folder. */
    interface Publisher {
        void publish(Path checkpoint) throws IOException;
    }

    /** Runs before every reduction with the step about to be combined (fault injection in tests). */
    interface StepHook {
        void beforeReduce(int rank, int step) throws IOException;

        StepHook NONE = (rank, step) -> { };
    }

    /** {@code bucketBytes}: see {@link RingReducer} (0: no overlap with the backward pass). */
    RingReplica(Ring ring, long bucketBytes, StepHook hook, Publisher publisher) {
        this.ring = ring;
        this.reducer = new RingReducer(ring, bucketBytes);
        this.hook = hook;
        this.publisher = publisher;
        this.replica = new Replica(ring.rank(), ring.size(), new Hooked());
    }

    @Override
    public Replica replica() {
        return replica;
    }

    /** The weights' hash at the last checkpoint (the same on every replica, checked). */
    long lastHash() {
        return lastHash;
    }

    /** Stops the reducer's communication thread. */
    void close() {
        reducer.close();
    }

    /** Seconds spent communicating so far. */
    double commSeconds() {
        return ring.commSeconds();
    }

    /** The ring's reducer, with the fault hook before each step's combining. */
    private final class Hooked implements GradientReducer {
        private int step;

        @Override
        public void reduce(float[] gradients) {
            try {
                hook.beforeReduce(ring.rank(), ++step);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            reducer.reduce(gradients);
        }

        @Override
        public Map<String, Double> reduceMetrics(Map<String, Double> metrics) {
            return reducer.reduceMetrics(metrics);
        }

        @Override
        public Autograd.GradientListener overlap(Parameters parameters) {
            return reducer.overlap(parameters);
        }
    }

    @Override
    public void checkpointed(Path checkpoint, Trainer trainer) throws IOException {
        byte[][] hashes = ring.allGather(ByteBuffer.allocate(8).putLong(weightsHash(trainer.model().parameters().values())).array());
        long own = ByteBuffer.wrap(hashes[ring.rank()]).getLong();
        lastHash = own;
        for (int r = 0; r < hashes.length; r++) {
            long other = ByteBuffer.wrap(hashes[r]).getLong();
            if (other != own) {
                throw new IllegalStateException(String.format("replicas diverged at step %d: rank %d's weights hash to %016x, rank %d's to %016x",
                        trainer.stepsDone(), ring.rank(), own, r, other));
            }
        }
        Map<String, Object> mine = new LinkedHashMap<>();
        mine.put("objective", trainer.objective().state());
        mine.put("dropout_rng", trainer.model().dropoutRng().state());
        byte[][] streams = ring.allGather(Json.write(mine).getBytes(StandardCharsets.UTF_8));
        if (ring.rank() == 0) {
            List<Object> byRank = new ArrayList<>();
            for (byte[] s : streams) byRank.add(Json.parse(new String(s, StandardCharsets.UTF_8), "replica state"));
            Files.writeString(checkpoint.resolve(STREAMS), Json.write(byRank) + "\n");
            publisher.publish(checkpoint);
        }
    }

    @Override
    public void resumed(Path checkpoint, Trainer trainer) throws IOException {
        Path file = checkpoint.resolve(STREAMS);
        if (!Files.isRegularFile(file)) return;         // a one-process checkpoint: every replica continues rank 0's streams
        Object parsed = Json.parse(Files.readString(file), file.toString());
        if (!(parsed instanceof List<?> byRank) || byRank.size() != ring.size()) {
            throw new IOException(file + ": holds the streams of " + (parsed instanceof List<?> l ? l.size() : 0) + " replicas, this run has " + ring.size()
                    + "; resume with the same --workers");
        }
        Map<?, ?> own = (Map<?, ?>) byRank.get(ring.rank());
        Map<String, Long> state = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) own.get("objective")).entrySet()) state.put((String) e.getKey(), ((Number) e.getValue()).longValue());
        trainer.objective().restore(state);
        trainer.model().dropoutRng().setState(((Number) own.get("dropout_rng")).longValue());
    }

    /** FNV-1a over the weights' bits: equal weights, equal hash. */
    static long weightsHash(float[] values) {
        long h = 0xcbf29ce484222325L;
        for (float v : values) {
            h ^= Float.floatToRawIntBits(v);
            h *= 0x100000001b3L;
        }
        return h;
    }
}
