package io.isthmus.services;

import io.isthmus.api.config.Ipv4Config;
import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.config.PortConfig;
import io.isthmus.api.firewall.HostOpenings;
import io.isthmus.api.linux.LocalService;
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
 * other inside port gets both by default. An uplink never gets anything (the validator rejects it; it is skipped
 * here too).
 */
final class ServicesPlan {
    static final int DHCP_PORT = 67;
    static final int DNS_PORT = 53;

    private ServicesPlan() {
    }

    static List<LocalService> services(NetworkDocument doc, List<Ipv4Address> upstream) {
        ServicesConfig config = ServicesSection.of(doc);
        List<LocalService.Host> names = new ArrayList<>();
        config.ports().values().forEach(p -> p.dhcp().ifPresent(d -> d.reservations().forEach(r -> r.name()
                .ifPresent(n -> names.add(new LocalService.Host(n, r.address()))))));
        List<Ipv4Address> forwardTo = upstream.stream().filter(a -> (a.bits() >>> 24) != 127).toList();
        List<LocalService> services = new ArrayList<>();
        config.ports().forEach((name, p) -> served(doc, name).ifPresent(own -> {
            PortRole role = doc.ports().get(name).role();
            boolean dns = p.dns().isPresent();
            boolean forward = p.dns().flatMap(ServicesConfig.Dns::forward).orElse(role != PortRole.OFFLINE);
            List<LocalService.Host> hosts = new ArrayList<>();
            hosts.add(new LocalService.Host(config.hostname(), own.address()));
            hosts.addAll(names);
            Optional<LocalService.Dhcp> dhcp = p.dhcp().map(d -> new LocalService.Dhcp(d.start(), d.end(),
                    Duration.ofSeconds(d.leaseSeconds()), d.router().orElse(role != PortRole.OFFLINE), dns,
                    d.reservations().stream().map(r -> new LocalService.Reservation(r.mac(), r.address(), r.name()))
                            .toList()));
            if (dhcp.isPresent() || dns) {
                services.add(new LocalService(name, own, config.domain(), dhcp, dns, forward ? forwardTo : List.of(),
                        hosts));
            }
        }));
        return services;
    }

    /** udp/67 where DHCP is served, udp+tcp/53 where DNS is; never on an uplink. */
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
