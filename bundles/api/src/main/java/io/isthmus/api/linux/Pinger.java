package io.isthmus.api.linux;

import io.isthmus.api.net.Ipv4Address;
import java.time.Duration;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * ICMP echo from a given source address (raw sockets need privileges only the OS boundary has). The source
 * address selects the port: the routing bundle's {@code from <address>} rules send the echo out of the port
 * that address belongs to, whichever uplink carries the default route.
 */
@ProviderType
public interface Pinger {
    /**
     * Sends one echo request and waits for its reply.
     *
     * @param payloadBytes ICMP payload size; below 16 no round-trip time is measured (the reply still counts)
     * @return the round-trip time ({@link Duration#ZERO} when too small a payload to measure it), or empty when
     *         no reply came within the timeout
     * @throws KernelException when the echo cannot be sent at all (bad address, no ping binary)
     */
    Optional<Duration> ping(Ipv4Address source, Ipv4Address target, int payloadBytes, Duration timeout)
            throws KernelException;

    /**
     * Starts echoing {@code target} from {@code source} every {@code interval} until the stream is closed: the
     * first echo at once, each outcome (a reply within {@code timeout}, or none) told to {@code outcomes}. Cheaper
     * than {@link #ping} once per interval: one long-lived process, no process per echo.
     *
     * @throws KernelException when the arguments are out of range (nothing started)
     */
    EchoStream stream(Ipv4Address source, Ipv4Address target, int payloadBytes, Duration interval, Duration timeout,
            EchoStream.Outcomes outcomes) throws KernelException;
}
