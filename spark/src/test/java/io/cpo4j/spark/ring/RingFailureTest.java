package io.cpo4j.spark.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

class RingFailureTest {

    static final Duration ONE_SECOND = Duration.ofSeconds(1);
    static final String PEER = "rank \\d \\(127\\.0\\.0\\.1:\\d+\\)";

    @Test
    void aMemberThatNeverSendsFailsTheOthersWithinTheTimeout() throws Exception {
        try (Rings rings = Rings.join(3, ONE_SECOND, Ring.SEGMENT_FLOATS)) {
            long start = System.nanoTime();
            List<Future<Void>> calls = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                Ring ring = rings.members.get(r);
                calls.add(rings.pool.submit(() -> { ring.allReduceSum(new float[100_000]); return null; }));
            }
            // rank 2 joined and sleeps: rank 0 waits for it, rank 1 for rank 0
            RingException rank0 = failure(calls.get(0)), rank1 = failure(calls.get(1));
            double seconds = (System.nanoTime() - start) / 1e9;
            assertThat(rank0.getMessage()).matches("ring rank 0: no data from rank 2 \\(127\\.0\\.0\\.1:\\d+\\) for 1\\.\\d s; the peer is hung or gone");
            assertThat(rank1.getMessage()).matches("ring rank 1: .*" + PEER + ".*");
            assertThat(seconds).isBetween(0.9, 1.0 + 2.0);
        }
    }

    @Test
    void aMemberThatClosesMidOperationFailsItselfAndItsNeighbourAtOnce() throws Exception {
        Duration timeout = Duration.ofSeconds(5);
        try (Rings rings = Rings.join(3, timeout, Ring.SEGMENT_FLOATS)) {
            Ring rank0 = rings.members.get(0), rank1 = rings.members.get(1), rank2 = rings.members.get(2);
            long start = System.nanoTime();
            Future<Void> call0 = rings.pool.submit(() -> { rank0.allReduceSum(new float[1_000_000]); return null; });
            Future<Void> call2 = rings.pool.submit(() -> { rank2.allReduceSum(new float[1_000_000]); return null; });
            Thread.sleep(300); // both are waiting for rank 1, which never calls
            rank2.close();
            RingException closed = failure(call2), neighbour = failure(call0);
            double seconds = (System.nanoTime() - start) / 1e9;
            assertThat(closed.getMessage()).startsWith("ring rank 2: closed while reading from rank 1 (127.0.0.1:");
            assertThat(neighbour.getMessage()).matches("ring rank 0: rank 2 \\(127\\.0\\.0\\.1:\\d+\\) closed the connection; .*");
            assertThat(seconds).as("a closed peer is seen at once, not after the timeout").isLessThan(timeout.toSeconds() - 1);
            assertThatThrownBy(() -> rank0.allReduceSum(new float[1])).isInstanceOf(RingException.class)
                    .hasMessageStartingWith("ring rank 0: the ring failed earlier (ring rank 0: rank 2");
            assertThatThrownBy(() -> rank1.allReduceSum(new float[1])).isInstanceOf(RingException.class)
                    .hasMessageMatching("ring rank 1: .*" + PEER + ".*");
        }
    }

    @Test
    void anInterruptedWaitEndsAtOnceAndClosesTheRing() throws Exception {
        try (Rings rings = Rings.join(2, Duration.ofSeconds(10), Ring.SEGMENT_FLOATS)) {
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread caller = new Thread(() -> {
                try {
                    rings.members.get(0).allReduceSum(new float[10]);
                } catch (Throwable e) {
                    thrown.set(e);
                }
            });
            caller.start();
            Thread.sleep(200); // rank 1 never calls; a Spark task being killed is interrupted like this
            long start = System.nanoTime();
            caller.interrupt();
            caller.join(5000);
            assertThat(caller.isAlive()).isFalse();
            assertThat((System.nanoTime() - start) / 1e9).isLessThan(2.0);
            assertThat(thrown.get()).isInstanceOf(RingException.class)
                    .hasMessage("ring rank 0: interrupted while waiting for rank 1 (127.0.0.1:" + rings.addresses.get(1).getPort() + ")");
            assertThatThrownBy(() -> rings.members.get(1).allReduceSum(new float[10])).isInstanceOf(RingException.class)
                    .hasMessageMatching("ring rank 1: .*rank 0 \\(127\\.0\\.0\\.1:\\d+\\).*");
        }
    }

    @Test
    void joiningWhereNobodyListensFailsAfterTheTimeoutNamingThePeer() throws Exception {
        InetSocketAddress nobody;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            nobody = new InetSocketAddress(s.getInetAddress(), s.getLocalPort());
        }
        try (RingListener listener = RingListener.open(InetAddress.getLoopbackAddress())) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> Ring.join(0, List.of(listener.address(), nobody), listener, ONE_SECOND))
                    .isInstanceOf(RingException.class)
                    .hasMessage("ring rank 0: could not connect to rank 1 (127.0.0.1:" + nobody.getPort() + ") within 1.0 s: Connection refused");
            assertThat((System.nanoTime() - start) / 1e9).isBetween(0.9, 2.5);
        }
    }

    @Test
    void membersOutOfRankOrderAreRefusedBeforeConnecting() throws Exception {
        try (RingListener a = RingListener.open(InetAddress.getLoopbackAddress());
             RingListener b = RingListener.open(InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> Ring.join(0, List.of(b.address(), a.address()), a, ONE_SECOND))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("ring: members.get(0) is 127.0.0.1:" + b.address().getPort() + " but rank 0's listener is on port "
                            + a.address().getPort() + "; are the members in rank order?");
        }
    }

    @Test
    void aPeerWithTheWrongRankIsRefused() throws Exception {
        try (RingListener a = RingListener.open(InetAddress.getLoopbackAddress());
             RingListener b = RingListener.open(InetAddress.getLoopbackAddress());
             Rings threads = new Rings()) {
            // both believe they are rank 0 of 2, each with the other as rank 1
            Future<Ring> joinA = threads.pool.submit(() -> Ring.join(0, List.of(a.address(), b.address()), a, ONE_SECOND));
            Future<Ring> joinB = threads.pool.submit(() -> Ring.join(0, List.of(b.address(), a.address()), b, ONE_SECOND));
            for (Future<Ring> join : List.of(joinA, joinB))
                assertThat(failure(join).getMessage()).matches("ring rank 0: rank 1 \\(127\\.0\\.0\\.1:\\d+\\) did not connect within 1\\.0 s "
                        + "\\(refused: 127\\.0\\.0\\.1:\\d+ claiming rank 0 of 2\\)");
        }
    }

    @Test
    void membersInDifferentOperationsFailNamingBoth() throws Exception {
        try (Rings rings = Rings.join(2, ONE_SECOND, Ring.SEGMENT_FLOATS)) {
            Future<Object> gather = rings.pool.submit(() -> rings.members.get(0).allGather(new byte[3]));
            Future<Object> sum = rings.pool.submit(() -> { rings.members.get(1).allReduceSum(new float[10]); return null; });
            assertThat(failure(gather).getMessage()).matches("ring rank 0: rank 1 \\(127\\.0\\.0\\.1:\\d+\\) is in allReduceSum of 10 floats as operation 0, "
                    + "this member in allGather as operation 0; every member must call the same operations");
            assertThat(failure(sum).getMessage()).startsWith("ring rank 1: ");
        }
    }

    @Test
    void closeIsIdempotentAndLaterCallsFail() throws Exception {
        Rings rings = Rings.join(2, ONE_SECOND, Ring.SEGMENT_FLOATS);
        Ring ring = rings.members.get(0);
        ring.close();
        ring.close();
        assertThatThrownBy(() -> ring.allGather(new byte[0])).isInstanceOf(RingException.class).hasMessage("ring rank 0: the ring is closed");
        rings.close();
    }

    private static RingException failure(Future<?> call) throws Exception {
        try {
            call.get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(RingException.class);
            return (RingException) e.getCause();
        }
        throw new AssertionError("the call succeeded; expected a RingException");
    }
}
