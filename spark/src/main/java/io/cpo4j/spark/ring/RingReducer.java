package io.cpo4j.spark.ring;

import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.nn.Parameters;
import io.cpo4j.model.train.GradientReducer;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Averages gradients and metrics across the members of a {@link Ring}: the data-parallel
 * {@link GradientReducer}. With {@code bucketBytes > 0} it overlaps the all-reduce with the backward
 * pass as PyTorch DDP does: parameters whose gradients are final (reported by the autograd in the
 * order they finish, the same on every replica) are packed into buckets of about
 * {@code bucketBytes}, and each full bucket is averaged on a communication thread while the backward
 * pass goes on; {@link #reduce} sends the last bucket and whatever was never reported, and waits.
 * Every replica issues the same all-reduces in the same order, so every replica gets the same bits,
 * and a run repeats bit for bit (the bits differ from those without buckets: the sums are chunked
 * differently).
 */
public final class RingReducer implements GradientReducer, AutoCloseable {

    /** PyTorch DDP's default bucket size. */
    public static final long DEFAULT_BUCKET_BYTES = 25L << 20;

    private final Ring ring;
    private final long bucketBytes;
    private ExecutorService comm;
    private Step step;                                 // the step whose backward pass is being overlapped
    private int bucketsSent;

    /** {@code bucketBytes} 0: average the whole gradient after the backward pass. */
    public RingReducer(Ring ring, long bucketBytes) {
        if (bucketBytes < 0) throw new IllegalArgumentException("bucket bytes must be ≥ 0, got " + bucketBytes);
        this.ring = ring;
        this.bucketBytes = bucketBytes;
    }

    public Ring ring() {
        return ring;
    }

    /** Buckets all-reduced so far while backward passes ran (or after them, the last of each step). */
    public int bucketsSent() {
        return bucketsSent;
    }

    @Override
    public Autograd.GradientListener overlap(Parameters parameters) {
        if (bucketBytes == 0 || ring.size() == 1) return null;
        if (comm == null) {
            comm = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "cpo4j-ring-" + ring.rank());
                t.setDaemon(true);
                return t;
            });
        }
        step = new Step(parameters);
        return step::finished;
    }

    @Override
    public void reduce(float[] gradients) {
        try {
            if (step == null) {
                ring.allReduceMean(gradients);
                return;
            }
            Step s = step;
            step = null;
            s.finish();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The mean of every member's metrics, summed in rank order: the same figures on every replica. */
    @Override
    public Map<String, Double> reduceMetrics(Map<String, Double> metrics) {
        List<String> keys = new ArrayList<>(metrics.keySet());
        ByteBuffer mine = ByteBuffer.allocate(8 * keys.size());
        for (String k : keys) mine.putDouble(metrics.get(k));
        byte[][] all;
        try {
            all = ring.allGather(mine.array());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Double> mean = new LinkedHashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            double sum = 0;
            for (byte[] other : all) {
                if (other.length != mine.capacity()) throw new IllegalStateException("replica metrics differ in number: " + other.length / 8 + " against " + keys.size() + " " + keys);
                sum += ByteBuffer.wrap(other).getDouble(8 * i);
            }
            mean.put(keys.get(i), sum / all.length);
        }
        return mean;
    }

    /** Stops the communication thread (the ring stays open). */
    @Override
    public void close() {
        if (comm != null) comm.shutdownNow();
    }

    /** One step's buckets. */
    private final class Step {
        private final Parameters parameters;
        private final Map<Tensor, Integer> index = new IdentityHashMap<>();
        private final boolean[] sent;
        private final List<Integer> bucket = new ArrayList<>();
        private final List<Future<?>> inFlight = new ArrayList<>();
        private long bucketFloats;

        Step(Parameters parameters) {
            this.parameters = parameters;
            List<Tensor> list = parameters.list();
            for (int i = 0; i < list.size(); i++) index.put(list.get(i), i);
            this.sent = new boolean[list.size()];
        }

        /** On the training thread: a parameter's gradient is final. */
        void finished(Tensor leaf) {
            Integer i = index.get(leaf);
            if (i == null) return;                     // not a trainable parameter (a recomputed block's input, a frozen weight)
            if (sent[i]) throw new IllegalStateException("ring: parameter " + i + " was reported final twice in one step; its gradient may still change");
            sent[i] = true;
            bucket.add(i);
            bucketFloats += leaf.size();
            if (4 * bucketFloats >= bucketBytes) send();
        }

        private void send() {
            int[] members = bucket.stream().mapToInt(Integer::intValue).toArray();
            bucketsSent++;
            bucket.clear();
            bucketFloats = 0;
            inFlight.add(comm.submit(() -> {
                average(members);
                return null;
            }));
        }

        /** After the backward pass: the last bucket and every parameter never reported (unused this step), then wait. */
        void finish() throws IOException {
            for (int i = 0; i < sent.length; i++) {
                if (!sent[i]) {
                    sent[i] = true;
                    bucket.add(i);
                }
            }
            if (!bucket.isEmpty()) send();
            try {
                for (Future<?> f : inFlight) f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while the ring averaged gradients");
            } catch (ExecutionException e) {
                if (e.getCause() instanceof IOException io) throw io;
                if (e.getCause() instanceof RuntimeException r) throw r;
                throw new IOException(e.getCause());
            }
        }

        /** On the communication thread: packs the members' gradients, averages them on the ring, unpacks. */
        private void average(int[] members) throws IOException {
            float[] grads = parameters.grads();
            List<Tensor> list = parameters.list();
            int total = 0;
            for (int i : members) total += list.get(i).size();
            float[] packed = new float[total];
            int at = 0;
            for (int i : members) {
                System.arraycopy(grads, parameters.offset(i), packed, at, list.get(i).size());
                at += list.get(i).size();
            }
            ring.allReduceMean(packed);
            at = 0;
            for (int i : members) {
                System.arraycopy(packed, at, grads, parameters.offset(i), list.get(i).size());
                at += list.get(i).size();
            }
        }
    }
}
