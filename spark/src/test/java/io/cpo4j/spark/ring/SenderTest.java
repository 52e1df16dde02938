package io.cpo4j.spark.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

import org.junit.jupiter.api.Test;

class SenderTest {

    @Test
    void aPeerThatStopsReadingFailsTheWaitForTheSendAfterTheTimeout() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             SocketChannel out = SocketChannel.open(server.getLocalAddress());
             SocketChannel neverRead = server.accept()) {
            InetSocketAddress peer = (InetSocketAddress) server.getLocalAddress();
            assertThat(neverRead.isConnected()).isTrue(); // connected, and never read from
            try (Sender sender = new Sender(out, 0, 1, peer, 1_000_000_000L, 1 << 16, () -> {})) {
                float[] data = new float[10_000_000]; // 40 MB: far more than the socket buffers hold
                for (int from = 0; from < data.length; from += 1 << 16) sender.send(data, from, Math.min(1 << 16, data.length - from));
                long start = System.nanoTime();
                assertThatThrownBy(sender::awaitSent).isInstanceOf(RingException.class)
                        .hasMessageMatching("ring rank 0: could not send to rank 1 \\(127\\.0\\.0\\.1:" + peer.getPort() + "\\) for 1\\.\\d s; the peer is hung or gone");
                assertThat((System.nanoTime() - start) / 1e9).isBetween(0.9, 2.5);
                assertThat(sender.bytesSent()).isPositive().isLessThan(4L * data.length);
            }
        }
    }
}
