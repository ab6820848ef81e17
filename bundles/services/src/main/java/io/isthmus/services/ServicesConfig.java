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
 * @param time     the gateway's clock and the time it serves, when the section has a {@code time} part
 */
record ServicesConfig(String domain, String hostname, Map<String, PortServices> ports, Optional<Time> time) {
    static final String DEFAULT_DOMAIN = "lan";
    static final String DEFAULT_HOSTNAME = "gateway";

    static ServicesConfig none() {
        return new ServicesConfig(DEFAULT_DOMAIN, DEFAULT_HOSTNAME, Map.of(), Optional.empty());
    }

    /**
     * The {@code time} part: the NTP servers the gateway syncs from (absent: the default) and the ports it serves
     * time on, each with the pointer it was read at (for the validator's errors).
     */
    record Time(Optional<List<String>> servers, List<Named> serve) {
    }

    /** A port name and where in the document it was given. */
    record Named(String name, String pointer) {
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
