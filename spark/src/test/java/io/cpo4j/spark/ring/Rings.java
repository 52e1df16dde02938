package io.cpo4j.spark.ring;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** N ring members as threads of this JVM over 127.0.0.1, and a way to run one call on each at once. */
final class Rings implements AutoCloseable {

    interface Call<T> {
        T on(Ring ring) throws Exception;
    }

    final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "ring-test");
        t.setDaemon(true);
        return t;
    });
    final List<Ring> members = new ArrayList<>();
    final List<InetSocketAddress> addresses = new ArrayList<>();

    /** Joins n members (each in its own thread, as they would in n tasks). */
    static Rings join(int n, Duration timeout, int segmentFloats) throws Exception {
        Rings rings = new Rings();
        List<RingListener> listeners = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            RingListener l = RingListener.open(InetAddress.getLoopbackAddress());
            listeners.add(l);
            rings.addresses.add(l.address());
        }
        List<Future<Ring>> joins = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int rank = i;
            joins.add(rings.pool.submit(() -> Ring.join(rank, rings.addresses, listeners.get(rank), timeout, segmentFloats)));
        }
        for (Future<Ring> f : joins) rings.members.add(f.get(30, TimeUnit.SECONDS));
        return rings;
    }

    /** Runs {@code call} on every member at once; results by rank, or the first failure. */
    <T> List<T> onEach(Call<T> call) throws Exception {
        List<Future<T>> futures = submitEach(call);
        List<T> results = new ArrayList<>();
        for (Future<T> f : futures) {
            try {
                results.add(f.get(60, TimeUnit.SECONDS));
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception ex ? ex : e;
            }
        }
        return results;
    }

    <T> List<Future<T>> submitEach(Call<T> call) {
        List<Future<T>> futures = new ArrayList<>();
        for (Ring r : members) futures.add(pool.submit(() -> call.on(r)));
        return futures;
    }

    @Override
    public void close() throws IOException {
        for (Ring r : members) r.close();
        pool.shutdownNow();
    }
}
