package io.isthmus.api.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/** Zones, conduits between them, port forwards and ICMP echo policy. */
@ProviderType
public record FirewallConfig(Map<String, Zone> zones, List<Conduit> conduits, List<PortForward> portForwards,
        List<String> icmpEcho) {

    public FirewallConfig {
        zones = Map.copyOf(zones);
        conduits = List.copyOf(conduits);
        portForwards = List.copyOf(portForwards);
        icmpEcho = List.copyOf(icmpEcho);
    }

    public static FirewallConfig empty() {
        return new FirewallConfig(Map.of(), List.of(), List.of(), List.of());
    }

    /** A named zone: the ports it contains. */
    public record Zone(List<String> ports) {
        public Zone {
            ports = List.copyOf(ports);
        }
    }

    /** A permitted flow: from a zone to a zone (or {@code "gateway"}), protocol, destination ports. */
    /**
     * @param rateLimit new connections (or, for icmp/udp, packets) admitted per period; the rest are dropped
     */
    public record Conduit(String from, String to, String protocol, List<String> ports, List<String> sources,
            Optional<RateLimit> rateLimit) {
        public Conduit {
            ports = List.copyOf(ports);
            sources = List.copyOf(sources);
        }

        public Conduit(String from, String to, String protocol, List<String> ports, List<String> sources) {
            this(from, to, protocol, ports, sources, Optional.empty());
        }
    }

    /** {@code rate} per {@code per} (second, minute, hour, day), with up to {@code burst} at once. */
    public record RateLimit(int rate, String per, int burst) {
    }

    /** DNAT from an uplink port to a host behind the gateway. */
    public record PortForward(String from, String protocol, int port, String toAddress, Optional<Integer> toPort,
            List<String> sources) {
        public PortForward {
            sources = List.copyOf(sources);
        }
    }
}
