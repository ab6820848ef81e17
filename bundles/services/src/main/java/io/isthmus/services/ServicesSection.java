package io.isthmus.services;

import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.json.JsonReader;
import io.isthmus.api.json.JsonValue;
import io.isthmus.api.net.Ipv4Address;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads the {@code services} section (kept by the config bundle as a plain value in
 * {@link NetworkDocument#extensions()}) into a {@link ServicesConfig}, every error with its pointer. The one place
 * that knows the section's shape: the validator and the plan both go through it.
 */
final class ServicesSection {
    static final String NAME = "services";
    static final String POINTER = "/" + NAME;
    static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    static final Pattern DOMAIN = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}"
            + "[a-z0-9])?)*");
    static final Pattern MAC = Pattern.compile("[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}");
    static final int MIN_LEASE = 120;
    static final int MAX_LEASE = 31_536_000;
    static final int DEFAULT_LEASE = 3600;
    static final List<String> KEYS = List.of("domain", "hostname", "ports", "time");
    static final List<String> TIME_KEYS = List.of("servers", "serve");
    /** An NTP server: a host name (letters, digits, -, dot-separated) or an IPv4 address. */
    static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]"
            + "([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
    static final List<String> PORT_KEYS = List.of("dhcp", "dns");
    static final List<String> DHCP_KEYS = List.of("start", "end", "leaseSeconds", "router", "reservations");
    static final List<String> DNS_KEYS = List.of("forward");
    static final List<String> RESERVATION_KEYS = List.of("mac", "address", "name");

    private final JsonReader in;

    ServicesSection(JsonReader in) {
        this.in = in;
    }

    /** The section of this document; {@link ServicesConfig#none()} when it has none or it does not read. */
    static ServicesConfig of(NetworkDocument doc) {
        JsonReader in = new JsonReader();
        ServicesConfig config = new ServicesSection(in).read(doc);
        return in.hasErrors() ? ServicesConfig.none() : config;
    }

    ServicesConfig read(NetworkDocument doc) {
        Object plain = doc.extensions().get(NAME);
        if (plain == null) {
            return ServicesConfig.none();
        }
        return in.object(JsonValue.at(POINTER, plain), KEYS).map(s -> {
            String domain = s.get("domain").flatMap(d -> in.matching(d, DOMAIN,
                    "a domain of lower-case labels (e.g. \"plant.lan\")")).orElse(ServicesConfig.DEFAULT_DOMAIN);
            String hostname = s.get("hostname").flatMap(h -> in.matching(h, LABEL,
                    "a host name of a-z, 0-9 and -")).orElse(ServicesConfig.DEFAULT_HOSTNAME);
            Map<String, ServicesConfig.PortServices> ports = new LinkedHashMap<>();
            s.get("ports").flatMap(in::object).ifPresent(p -> p.members().forEach(
                    port -> portServices(port).ifPresent(ps -> ports.put(port.name(), ps))));
            return new ServicesConfig(domain, hostname, ports, s.get("time").flatMap(this::time));
        }).orElse(ServicesConfig.none());
    }

    private Optional<ServicesConfig.Time> time(JsonValue at) {
        return in.object(at, TIME_KEYS).map(t -> new ServicesConfig.Time(
                t.get("servers").flatMap(s -> in.list(s, this::server)),
                in.optionalList(t, "serve", p -> in.nonEmptyString(p).map(n -> new ServicesConfig.Named(n,
                        p.pointer())))));
    }

    /** A host name or an IPv4 address; a name of digits and dots only must be a valid address. */
    private Optional<String> server(JsonValue at) {
        return in.matching(at, HOST, "an NTP server: a host name or an IPv4 address").flatMap(s -> {
            if (s.matches("[0-9.]+")) {
                return address(at).map(Object::toString);
            }
            return Optional.of(s);
        });
    }

    private Optional<ServicesConfig.PortServices> portServices(JsonValue port) {
        return in.object(port, PORT_KEYS).map(p -> new ServicesConfig.PortServices(
                p.get("dhcp").flatMap(this::dhcp), p.get("dns").flatMap(this::dns)));
    }

    private Optional<ServicesConfig.Dhcp> dhcp(JsonValue at) {
        return in.object(at, DHCP_KEYS).flatMap(d -> {
            Optional<Ipv4Address> start = in.required(d, "start", "the first address of the pool").flatMap(
                    this::address);
            Optional<Ipv4Address> end = in.required(d, "end", "the last address of the pool").flatMap(this::address);
            int lease = d.get("leaseSeconds").flatMap(l -> in.integer(l, MIN_LEASE, MAX_LEASE))
                    .orElse(DEFAULT_LEASE);
            Optional<Boolean> router = d.get("router").flatMap(in::bool);
            List<ServicesConfig.Reservation> reservations = in.optionalList(d, "reservations", this::reservation);
            if (start.isEmpty() || end.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new ServicesConfig.Dhcp(start.get(), end.get(), lease, router, reservations));
        });
    }

    private Optional<ServicesConfig.Reservation> reservation(JsonValue at) {
        return in.object(at, RESERVATION_KEYS).flatMap(r -> {
            Optional<String> mac = in.required(r, "mac", "the client's MAC address").flatMap(m -> in.matching(m, MAC,
                    "a MAC address like 02:00:00:00:00:01")).map(m -> m.toLowerCase(Locale.ROOT));
            Optional<Ipv4Address> address = in.required(r, "address", "the reserved address").flatMap(this::address);
            Optional<String> name = r.get("name").flatMap(n -> in.matching(n, LABEL, "a host name of a-z, 0-9 and -"));
            if (mac.isEmpty() || address.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new ServicesConfig.Reservation(mac.get(), address.get(), name));
        });
    }

    private Optional<ServicesConfig.Dns> dns(JsonValue at) {
        return in.object(at, DNS_KEYS).map(d -> new ServicesConfig.Dns(d.get("forward").flatMap(in::bool)));
    }

    private Optional<Ipv4Address> address(JsonValue at) {
        return in.read(() -> at.parsed(Ipv4Address::parse, "an IPv4 address"));
    }
}
