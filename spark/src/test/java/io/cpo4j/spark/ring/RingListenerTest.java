package io.cpo4j.spark.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;

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
    void aMalformedAddressIsOneLine() {
        assertThatThrownBy(() -> RingListener.parse("10.0.0.7")).hasMessage("ring: address '10.0.0.7' is not host:port");
        assertThatThrownBy(() -> RingListener.parse("10.0.0.7:x")).hasMessage("ring: address '10.0.0.7:x' has no port in [1, 65535]");
        assertThatThrownBy(() -> RingListener.parse("10.0.0.7:70000")).hasMessage("ring: address '10.0.0.7:70000' has no port in [1, 65535]");
        assertThatThrownBy(() -> RingListener.parse("::1:4242")).hasMessage("ring: address '::1:4242': write an IPv6 host in brackets, [::1]:port");
    }
}
