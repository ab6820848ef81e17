package io.isthmus.api.linux;

import io.isthmus.api.net.Ipv4Address;
import io.isthmus.api.net.Ipv4Cidr;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * DHCP and DNS the gateway serves on one inside interface, already validated and resolved from the document.
 *
 * @param device   the interface
 * @param address  the gateway's own address and prefix on it (the subnet served)
 * @param domain   the local domain (DHCP option 15; names under it are never forwarded)
 * @param dhcp     the DHCP server, when one is wanted here
 * @param dns      whether DNS is answered on this interface
 * @param upstream where DNS queries for other names are forwarded; empty answers local names only
 * @param hosts    local names answered (reservations, the gateway itself), unqualified
 */
@ProviderType
public record LocalService(String device, Ipv4Cidr address, String domain, Optional<Dhcp> dhcp, boolean dns,
        List<Ipv4Address> upstream, List<Host> hosts) {

    public LocalService {
        upstream = List.copyOf(upstream);
        hosts = List.copyOf(hosts);
    }

    /**
     * A DHCP pool: {@code first}..{@code last} inclusive, lease time, reservations by MAC, and whether the gateway is
     * offered as router (option 3), DNS server (option 6) and NTP server (option 42).
     */
    public record Dhcp(Ipv4Address first, Ipv4Address last, Duration lease, boolean router, boolean dnsServer,
            boolean ntpServer, List<Reservation> reservations) {
        public Dhcp {
            reservations = List.copyOf(reservations);
        }

        /** A pool that offers no NTP server (the constructor of api.linux 1.7, kept for its callers). */
        public Dhcp(Ipv4Address first, Ipv4Address last, Duration lease, boolean router, boolean dnsServer,
                List<Reservation> reservations) {
            this(first, last, lease, router, dnsServer, false, reservations);
        }
    }

    /** A fixed address for one MAC (lower case, colon-separated), with an optional host name. */
    public record Reservation(String mac, Ipv4Address address, Optional<String> name) {
    }

    /** A local name and its address. */
    public record Host(String name, Ipv4Address address) {
    }
}
