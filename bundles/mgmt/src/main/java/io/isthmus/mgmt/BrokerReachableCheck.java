package io.isthmus.mgmt;

import io.isthmus.api.config.NetworkDocument;
import io.isthmus.mgmt.transport.BrokerProbe;
import io.isthmus.mgmt.transport.Session;
import io.isthmus.mgmt.transport.Topics;
import io.isthmus.mgmt.transport.Transport;
import java.time.Duration;
import java.util.Optional;
import org.osgi.service.log.Logger;

/**
 * The {@code broker-reachable} commit check: after a document was applied, the agent reconnects through it and a
 * message of full-segment size must make the round trip through the broker; a document is blamed only if the
 * channel worked before it.
 */
final class BrokerReachableCheck {
    private static final Duration CHECK_MARGIN = Duration.ofMillis(500);

    private final Session session;
    private final BrokerProbe probe;
    private final Reconfiguration settings;
    private final long brokerWindowMs;
    /** Held by credentials.rotate too: one reconnect to judge at a time. */
    private final Object rotation;
    private final Logger log;
    private volatile boolean onlineBeforeApply;

    BrokerReachableCheck(Session session, BrokerProbe probe, Reconfiguration settings, long brokerWindowMs,
            Object rotation, Logger log) {
        this.session = session;
        this.probe = probe;
        this.settings = settings;
        this.brokerWindowMs = brokerWindowMs;
        this.rotation = rotation;
        this.log = log;
    }

    /**
     * Remembers whether the channel worked before this document: only then can the document be blamed. Taken
     * before any applier runs: an uplink switch caused by the document reconnects the agent on purpose.
     */
    void beforeApply(NetworkDocument next) {
        Optional<Session.Target> target = settings.target();
        onlineBeforeApply = target.isPresent() && session.onlineWithin(
                Duration.ofSeconds(2L * target.get().config().keepAliveSeconds()));
    }

    Optional<String> check(NetworkDocument applied, Duration window) {
        if (applied.management().brokers().isEmpty()) {
            return Optional.empty();
        }
        if (!onlineBeforeApply) {
            log.info("management: the broker was not reachable before this document either; not held against it");
            return Optional.empty();
        }
        Duration limit = Duration.ofMillis(Math.min(brokerWindowMs,
                Math.max(1000, window.minus(CHECK_MARGIN).toMillis())));
        // a credentials.rotate trial reconnects too: one at a time, so neither judges the other's connection
        synchronized (rotation) {
            return reachable(limit);
        }
    }

    /**
     * Reconnects and judges the connection: up within the limit, and a full-segment message makes the round trip.
     * A connection that drops while it is judged is not the verdict: an uplink switch during the check (the
     * document's own, or the preferred uplink coming up) makes the agent reconnect on purpose, so the next
     * connection is judged, within the same limit. A connection that stays up and fails the round trip is.
     */
    private Optional<String> reachable(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        long ticket = session.reconnect();
        Optional<String> dropped = Optional.empty();
        try {
            while (true) {
                if (!session.awaitConnected(ticket, left(deadline))) {
                    return Optional.of("management broker not reachable within " + limit.toMillis() / 1000.0
                            + " s through the new configuration" + dropped.or(() -> session.health().lastError())
                                    .map(e -> " (" + e + ")").orElse(""));
                }
                // Connected is not enough: an MTU that passes the handshake but not a full segment, or a proxy that
                // lets a CONNECT through and nothing else, would be committed and leave the gateway deaf.
                Optional<Topics> topics = settings.target().map(Session.Target::topics);
                Optional<Transport> transport = session.transport();
                if (topics.isEmpty()) {
                    return Optional.of("the management connection has no broker to judge");
                }
                if (transport.isEmpty()) {
                    dropped = Optional.of("the management connection dropped right after it was made");
                    continue;
                }
                Optional<String> trip = probe.roundTrip(transport.get(), topics.get().probe(), left(deadline));
                if (trip.isEmpty() || transport.get().connected()) {
                    return trip;
                }
                dropped = Optional.of("the management connection dropped during the round trip: " + trip.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while waiting for the management broker");
        }
    }

    private static Duration left(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }
}
