package io.cpo4j.spark.ring;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * A ring operation or connection that failed, in one line naming this member and the peer, e.g.
 * {@code ring rank 1: no data from rank 0 (127.0.0.1:40123) for 2.0 s; the peer is hung or gone}.
 */
public final class RingException extends IOException {

    private static final long serialVersionUID = 1L;

    public RingException(String message) {
        super(message);
    }

    public RingException(String message, Throwable cause) {
        super(message, cause);
    }

    /** "rank 3 (10.0.0.7:40123)": how every message names a peer. */
    static String peer(int rank, InetSocketAddress address) {
        return "rank " + rank + " (" + hostPort(address) + ")";
    }

    /** "10.0.0.7:40123": the IP address when resolved (host names can hide which interface), else the name as given. */
    static String hostPort(InetSocketAddress address) {
        String host = address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /** "1.5 s": seconds with one decimal, as in every timeout message. */
    static String seconds(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.1f s", nanos / 1e9);
    }

    /** The cause's own words for a message tail: "Connection refused", else its class name. */
    static String reason(Throwable e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
