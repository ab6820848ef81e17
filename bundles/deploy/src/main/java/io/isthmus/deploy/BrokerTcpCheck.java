package io.isthmus.deploy;

import io.isthmus.api.config.NetworkDocument;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Is the management broker still reachable? A fresh TCP connection to one of the document's brokers, from the
 * gateway, through whatever the changed bundle did to its network (a firewall that drops it, a route that loses
 * it). No brokers configured: nothing to check.
 */
final class BrokerTcpCheck {
    private BrokerTcpCheck() {
    }

    static Optional<String> check(Optional<NetworkDocument> document, Duration timeout) {
        List<String> brokers = document.map(d -> d.management().brokers()).orElse(List.of());
        if (brokers.isEmpty()) {
            return Optional.empty();
        }
        String last = "";
        for (String broker : brokers) {
            try {
                URI u = URI.create(broker);
                int port = u.getPort() > 0 ? u.getPort() : u.getScheme().matches("ssl|tls|mqtts|wss") ? 8883 : 1883;
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(u.getHost(), port), (int) Math.max(200, timeout.toMillis()));
                    return Optional.empty();
                }
            } catch (IOException | IllegalArgumentException e) {
                last = broker + ": " + e.getMessage();
            }
        }
        return Optional.of("management broker not reachable (" + last + ")");
    }
}
