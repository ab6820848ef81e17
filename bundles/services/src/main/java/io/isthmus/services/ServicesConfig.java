package io.isthmus.services;

import io.isthmus.api.net.Ipv4Address;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The document's {@code services} section, read. Defaults that depend on a port's role (router option, DNS
 * forwarding: on for dmz, lan and mgmt, off for offline) are left empty here and decided by {@link ServicesPlan}.
 *
 * @param hostname the gateway's own name under {@code domain}
 */
record ServicesConfig(String domain, String hostname, Map<String, PortServices> ports) {
    static final String DEFAULT_DOMAIN = "lan";
    static final String DEFAULT_HOSTNAME = "gateway";

    static ServicesConfig none() {
        return new ServicesConfig(DEFAULT_DOMAIN, DEFAULT_HOSTNAME, Map.of());
    }

    /** What one port serves: DHCP, DNS, or both. */
    record PortServices(Optional<Dhcp> dhcp, Optional<Dns> dns) {
    }

    record Dhcp(Ipv4Address start, Ipv4Address end, int leaseSeconds, Optional<Boolean> router,
            List<Reservation> reservations) {
    }

    record Reservation(String mac, Ipv4Address address, Optional<String> name) {
    }

    record Dns(Optional<Boolean> forward) {
    }
}
