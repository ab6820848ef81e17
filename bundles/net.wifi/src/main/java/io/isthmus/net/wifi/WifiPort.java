package io.isthmus.net.wifi;

import io.isthmus.api.config.PortConfig;
import io.isthmus.api.net.PortStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * What the driver knows of one WiFi port between passes. Fields are written on the reconcile worker; the monitor
 * thread writes only {@link #lastEvent}, the addressing listener only {@link #addressing} (both volatile).
 */
final class WifiPort {
    final String name;
    volatile Optional<WpaControl> control = Optional.empty();
    Optional<WpaControl> monitor = Optional.empty();
    /** The fingerprint of the network block wpa_supplicant has from us. */
    Optional<String> network = Optional.empty();
    /** What we asked Ipv4Addressing for; empty: nothing (after a restart: unknown, so a release is due). */
    Optional<PortConfig> assigned = Optional.empty();
    boolean assignmentUnknown = true;
    final ReconnectBackoff reconnect;
    Instant nextReconnect = Instant.MIN;
    Optional<WpaReplies.Status> status = Optional.empty();
    WpaReplies.Signal signal = WpaReplies.Signal.NONE;
    Optional<String> problem = Optional.empty();
    /** The last connection event published (connected, disconnected, auth-failed). */
    Optional<String> announced = Optional.empty();
    /** Why the last connection attempt failed, from events (EAP failure, wrong key, network not found). */
    volatile Optional<String> lastEvent = Optional.empty();
    volatile Optional<PortStatus> addressing = Optional.empty();
    volatile CountDownLatch scanDone = new CountDownLatch(1);

    WifiPort(String name, Duration reconnectMin, Duration reconnectMax) {
        this.name = name;
        this.reconnect = new ReconnectBackoff(reconnectMin, reconnectMax);
    }

    void closeControl() {
        control.ifPresent(WpaControl::close);
        monitor.ifPresent(WpaControl::close);
        control = Optional.empty();
        monitor = Optional.empty();
        network = Optional.empty();
    }
}
