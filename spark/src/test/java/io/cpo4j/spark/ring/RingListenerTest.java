package io.cpo4j.spark.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

class RingListenerTest {

    @Test
    void anAddressSurvivesFormatAndParse() throws Exception {
        try (RingListener listener = RingListener.open(InetAddress.getLoopbackAddress())) {
            String text = RingListener.format(listener.address());
            assertThat(text).isEqualTo("127.0.0.1:" + listener.address().getPort());
            assertThat(RingListener.parse(text)).isEqualTo(listener.address());
        }
        InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("::1"), 4242);
        assertThat(RingListener.format(v6)).isEqualTo("[0:0:0:0:0:0:0:1]:4242");
        assertThat(RingListener.parse(RingListener.format(v6))).isEqualTo(v6);
    }

    @Test
    void aListenerOnEveryInterfacePublishesTheGivenHostAndARingJoinsThroughIt() throws Exception {
        InetAddress any = InetAddress.getByName("0.0.0.0"), loopback = InetAddress.getLoopbackAddress();
        try (RingListener a = RingListener.open(any, loopback); RingListener b = RingListener.open(any, loopback); Rings threads = new Rings()) {
            assertThat(a.address().getAddress()).isEqualTo(loopback);
            List<InetSocketAddress> members = List.of(a.address(), b.address());
            var joinB = threads.pool.submit(() -> Ring.join(1, members, b, Duration.ofSeconds(10)));
            try (Ring ringA = Ring.join(0, members, a, Duration.ofSeconds(10)); Ring ringB = joinB.get()) {
                var gathered = threads.pool.submit(() -> ringB.allGather(new byte[] {2}));
                assertThat(ringA.allGather(new byte[] {1})).isDeepEqualTo(new byte[][] {{1}, {2}});
                assertThat(gathered.get()).isDeepEqualTo(new byte[][] {{1}, {2}});
            }
        }
    }

    @Test
    void aMalformedAddressIsOneLine() {
        assertThatThrownBy(() -> RingListener.parse("10.0.0.7")).hasMessage("ring: address '10.0.0.7' is not host:port");
        assertThatThrownBy(() -> RingListener.parse("10.0.0.7:x")).hasMessage("ring: address '10.0.0.7:x' has no port in [1, 65535]");
        assertThatThrownBy(() -> RingListener.parse("10.0.0.7:70000")).hasMessage("ring: address '10.0.0.7:70000' has no port in [1, 65535]");
        assertThatThrownBy(() -> RingListener.parse("::1:4242")).hasMessage("ring: address '::1:4242': write an IPv6 host in brackets, [::1]:port");
    }
}
