package io.isthmus.services;

import io.isthmus.api.config.Ipv4Config;
import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.config.PortConfig;
import io.isthmus.api.firewall.HostOpenings;
import io.isthmus.api.linux.LocalService;
import io.isthmus.api.linux.TimeSync;
import io.isthmus.api.net.Ipv4Address;
import io.isthmus.api.net.Ipv4Cidr;
import io.isthmus.api.net.PortRole;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a valid document asks the gateway to serve, as pure functions: the servers per port (given the resolvers
 * of the active uplink) and the firewall openings they need. By role: an {@code offline} port gets no router
 * option and its DNS answers local names only, unless the document sets {@code router} or {@code forward}; every
 * other inside port gets both by default. A port the {@code time} part serves gets the gateway as NTP server
 * (option 42) with its DHCP. An uplink never gets anything (the validator rejects it; it is skipped
 * here too).
 */
final class ServicesPlan {
    static final int DHCP_PORT = 67;
    static final int DNS_PORT = 53;
    static final int NTP_PORT = 123;
    /** The servers of Debian's own chrony.conf (its pool), when the document names none. */
    static final List<String> DEFAULT_NTP = List.of("0.debian.pool.ntp.org", "1.debian.pool.ntp.org",
            "2.debian.pool.ntp.org", "3.debian.pool.ntp.org");

    private ServicesPlan() {
    }

    static List<LocalService> services(NetworkDocument doc, List<Ipv4Address> upstream) {
        ServicesConfig config = ServicesSection.of(doc);
        List<LocalService.Host> names = new ArrayList<>();
        config.ports().values().forEach(p -> p.dhcp().ifPresent(d -> d.reservations().forEach(r -> r.name()
                .ifPresent(n -> names.add(new LocalService.Host(n, r.address()))))));
        List<Ipv4Address> forwardTo = upstream.stream().filter(a -> (a.bits() >>> 24) != 127).toList();
        List<String> timeServed = config.time().map(t -> t.serve().stream().map(ServicesConfig.Named::name).toList())
                .orElse(List.of());
        List<LocalService> services = new ArrayList<>();
        config.ports().forEach((name, p) -> served(doc, name).ifPresent(own -> {
            PortRole role = doc.ports().get(name).role();
            boolean dns = p.dns().isPresent();
            boolean forward = forwards(p, role);
            List<LocalService.Host> hosts = new ArrayList<>();
            hosts.add(new LocalService.Host(config.hostname(), own.address()));
            hosts.addAll(names);
            Optional<LocalService.Dhcp> dhcp = p.dhcp().map(d -> new LocalService.Dhcp(d.start(), d.end(),
                    Duration.ofSeconds(d.leaseSeconds()), d.router().orElse(role != PortRole.OFFLINE), dns,
                    timeServed.contains(name), d.reservations().stream()
                            .map(r -> new LocalService.Reservation(r.mac(), r.address(), r.name())).toList()));
            if (dhcp.isPresent() || dns) {
                services.add(new LocalService(name, own, config.domain(), dhcp, dns, forward ? forwardTo : List.of(),
                        hosts));
            }
        }));
        return services;
    }

    /** Whether a port's DNS forwards beyond local names: by default everywhere but on an offline port. */
    private static boolean forwards(ServicesConfig.PortServices p, PortRole role) {
        return p.dns().flatMap(ServicesConfig.Dns::forward).orElse(role != PortRole.OFFLINE);
    }

    /** Whether a served port's DNS forwards, so the servers follow the gateway's resolvers (one read of the section). */
    static boolean followsResolvers(NetworkDocument doc) {
        return ServicesSection.of(doc).ports().entrySet().stream().anyMatch(e -> e.getValue().dns().isPresent()
                && served(doc, e.getKey()).isPresent() && forwards(e.getValue(), doc.ports().get(e.getKey()).role()));
    }

    /**
     * The gateway's clock when the section has a {@code time} part: the document's servers, else the NTP servers
     * (option 42) of the active uplink's DHCP lease, else {@link #DEFAULT_NTP}; time served to the subnets of the
     * inside ports it names. Empty without a {@code time} part (the gateway then leaves its clock to the system).
     *
     * @param uplinkNtp the active uplink and its lease's NTP servers, when it has a lease with some
     */
    static Optional<TimeSync> time(NetworkDocument doc, Optional<UplinkNtp> uplinkNtp) {
        return ServicesSection.of(doc).time().map(t -> {
            List<Ipv4Cidr> serve = t.serve().stream().flatMap(p -> served(doc, p.name()).stream()).distinct().toList();
            Optional<List<String>> own = t.servers().filter(l -> !l.isEmpty());
            if (own.isPresent()) {
                return new TimeSync(own.get(), serve, "document");
            }
            return uplinkNtp.filter(u -> !u.servers().isEmpty())
                    .map(u -> new TimeSync(u.servers().stream().map(Ipv4Address::toString).toList(), serve,
                            "dhcp " + u.uplink()))
                    .orElseGet(() -> new TimeSync(DEFAULT_NTP, serve, "default"));
        });
    }

    /** {@link #time(NetworkDocument, Optional)} without an uplink lease. */
    static Optional<TimeSync> time(NetworkDocument doc) {
        return time(doc, Optional.empty());
    }

    /** Whether the clock's servers follow the active uplink's lease: a {@code time} part that names none. */
    static boolean followsLease(NetworkDocument doc) {
        return ServicesSection.of(doc).time().map(t -> t.servers().filter(l -> !l.isEmpty()).isEmpty()).orElse(false);
    }

    /** The NTP servers (DHCP option 42) of the active uplink's lease. */
    record UplinkNtp(String uplink, List<Ipv4Address> servers) {
        UplinkNtp {
            servers = List.copyOf(servers);
        }
    }

    /** udp/67 where DHCP is served, udp+tcp/53 where DNS is, udp/123 where time is; never on an uplink. */
    static List<HostOpenings.Opening> openings(NetworkDocument doc) {
        List<HostOpenings.Opening> openings = new ArrayList<>();
        ServicesSection.of(doc).ports().forEach((name, p) -> {
            if (served(doc, name).isEmpty()) {
                return;
            }
            if (p.dhcp().isPresent()) {
                openings.add(new HostOpenings.Opening(name, "udp", DHCP_PORT, "dhcp server"));
            }
            if (p.dns().isPresent()) {
                openings.add(new HostOpenings.Opening(name, "udp", DNS_PORT, "dns"));
                openings.add(new HostOpenings.Opening(name, "tcp", DNS_PORT, "dns"));
            }
        });
        ServicesSection.of(doc).time().ifPresent(t -> t.serve().stream().map(ServicesConfig.Named::name).distinct()
                .filter(name -> served(doc, name).isPresent())
                .forEach(name -> openings.add(new HostOpenings.Opening(name, "udp", NTP_PORT, "ntp"))));
        return openings;
    }

    /** The gateway's own static address on an inside port of the document, if it can serve there. */
    static Optional<Ipv4Cidr> served(NetworkDocument doc, String port) {
        PortConfig p = doc.ports().get(port);
        if (p == null || p.role() == PortRole.UPLINK || !(p.ipv4() instanceof Ipv4Config.Static s)) {
            return Optional.empty();
        }
        return Optional.of(s.address());
    }
}
