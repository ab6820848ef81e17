package io.isthmus.api.linux;

import io.isthmus.api.net.Ipv4Address;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The troubleshooting steps of a network guide (reachability, DNS, routes), answered by the gateway itself
 * through the OS. Every argument is validated before anything runs; a bad one is a KernelException.
 */
@ProviderType
public interface Diagnostics {

    /** Pings {@code target} (an IPv4 address or a host name) {@code count} times, optionally out of one device. */
    PingResult ping(String target, int count, Duration timeout, Optional<String> device) throws KernelException;

    /** Resolves {@code name} to IPv4 addresses through the gateway's own resolvers (see {@link Resolver}). */
    Resolution resolve(String name, Duration timeout) throws KernelException;

    /** What the kernel would do with a packet to {@code destination}: {@code ip route get}. */
    RouteLookup route(Ipv4Address destination, Optional<Ipv4Address> source, Optional<String> inputDevice)
            throws KernelException;

    /** Round-trip times are empty when nothing came back; {@code problem} says why when the ping could not run. */
    record PingResult(String target, int transmitted, int received, Optional<Double> minMs, Optional<Double> avgMs,
            Optional<Double> maxMs, Optional<String> problem) {
    }

    /** {@code addresses} is empty when the name does not exist or no server answered ({@code problem} says which). */
    record Resolution(String name, List<Ipv4Address> servers, List<Ipv4Address> addresses,
            Optional<String> problem) {
        public Resolution {
            servers = List.copyOf(servers);
            addresses = List.copyOf(addresses);
        }
    }

    /**
     * @param type    {@code unicast}, {@code local}, {@code broadcast}, … or {@code unreachable} when the kernel has no route
     * @param problem the kernel's answer when it has no route
     */
    record RouteLookup(Ipv4Address destination, String type, Optional<String> device, Optional<Ipv4Address> gateway,
            Optional<Ipv4Address> source, Optional<String> table, Optional<String> problem) {
    }
}
