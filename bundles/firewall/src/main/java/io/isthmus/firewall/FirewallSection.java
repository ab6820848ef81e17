package io.isthmus.firewall;

import io.isthmus.api.config.FirewallConfig.Conduit;
import io.isthmus.api.config.FirewallConfig.PortForward;
import io.isthmus.api.config.FirewallConfig.RateLimit;
import io.isthmus.api.config.FirewallConfig.Zone;
import io.isthmus.api.config.Addresses;
import io.isthmus.api.config.FirewallConfig;
import io.isthmus.api.config.KnownPorts;
import io.isthmus.api.firewall.ZoneRefs;
import io.isthmus.api.json.JsonReader;
import io.isthmus.api.json.JsonValue;
import io.isthmus.api.net.Ipv4Address;
import io.isthmus.api.net.Ipv4Cidr;
import io.isthmus.api.net.PortRole;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads {@code /firewall}: zones of ports, conduits between zones, port forwards and ICMP echo. */
// public for the schema test of io.isthmus.config, which holds these keys against the published schema
public final class FirewallSection {
    public static final List<String> KEYS = List.of("zones", "conduits", "portForwards", "icmpEcho");
    public static final List<String> CONDUIT_KEYS = List.of("from", "to", "protocol", "ports", "sources", "rateLimit");
    static final List<String> RATE_LIMIT_KEYS = List.of("rate", "per", "burst");
    static final List<String> RATE_PERIODS = List.of("second", "minute", "hour", "day");
    static final int MAX_RATE = 1_000_000;
    public static final List<String> FORWARD_KEYS = List.of("from", "protocol", "port", "toAddress", "toPort",
            "sources");
    private static final List<String> PROTOCOLS = List.of("tcp", "udp", "icmp", "any");
    private static final List<String> FORWARD_PROTOCOLS = List.of("tcp", "udp");
    private static final Pattern ZONE_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,31}");
    private static final Pattern PORT_RANGE = Pattern.compile("(\\d{1,5})(?:-(\\d{1,5}))?");
    private static final String PORT_EXPECTED = "a port 1..65535 or a range like \"8000-8100\"";

    private final JsonReader in;
    private final KnownPorts ports;
    private final Set<String> zoneNames = new LinkedHashSet<>();

    FirewallSection(JsonReader in, KnownPorts ports) {
        this.in = in;
        this.ports = ports;
    }

    /** Every zone name the document declares, valid or not, for the references of later sections. */
    Set<String> zoneNames() {
        return Set.copyOf(zoneNames);
    }

    FirewallConfig read(Optional<JsonValue> section) {
        Optional<JsonValue> firewall = section.flatMap(s -> in.object(s, KEYS));
        if (firewall.isEmpty()) {
            return FirewallConfig.empty();
        }
        JsonValue at = firewall.get();
        Map<String, Zone> zones = at.get("zones").map(this::zones).orElse(Map.of());
        ZoneRefs refs = new ZoneRefs(in, zoneNames);
        List<Conduit> conduits = in.optionalList(at, "conduits", c -> conduit(c, refs));
        List<PortForward> forwards = in.optionalList(at, "portForwards", this::portForward);
        List<String> icmpEcho = in.optionalList(at, "icmpEcho", z -> refs.zone(z, false));
        return new FirewallConfig(zones, conduits, forwards, icmpEcho);
    }

    private Map<String, Zone> zones(JsonValue at) {
        Map<String, Zone> zones = new LinkedHashMap<>();
        Map<String, String> zoneOfPort = new LinkedHashMap<>();
        in.object(at).ifPresent(z -> z.members().forEach(zone -> {
            String name = zone.name();
            zoneNames.add(name);
            checkZoneName(zone, name);
            // A zone that cannot be read is an error already; it stays named, so the references to it (conduits
            // here, flows of the multicast section that reads after this one) add none.
            if (in.object(zone, List.of("ports")).isEmpty()) {
                zones.put(name, new Zone(List.of()));
                return;
            }
            zones.put(name, new Zone(in.required(zone, "ports", "a list of port names").flatMap(p -> in.list(p,
                    port -> zonePort(port, name, zoneOfPort))).orElse(List.of())));
        }));
        return zones;
    }

    private void checkZoneName(JsonValue zone, String name) {
        Optional<String> reserved = ZoneRefs.reservedName(name);
        if (reserved.isPresent()) {
            in.error(zone.pointer(), reserved.get() + "; choose another zone name");
        } else if (ports.exists(name)) {
            in.error(zone.pointer(), JsonValue.quote(name) + " is a port of this document; choose another zone name");
        } else if (!ZONE_NAME.matcher(name).matches()) {
            in.error(zone.pointer(), JsonValue.quote(name) + " is not a valid zone name; expected a letter, then up to "
                    + "31 of A-Z a-z 0-9 _ -");
        }
    }

    /** A port belongs to one zone at most, else the zone a packet comes from would be ambiguous. */
    private Optional<String> zonePort(JsonValue at, String zone, Map<String, String> zoneOfPort) {
        Optional<String> port = ports.reference(in, at);
        port.map(p -> zoneOfPort.putIfAbsent(p, zone)).ifPresent(other -> in.error(at.pointer(), "port "
                + port.get() + " is already in zone " + other + "; a port belongs to one zone at most"));
        return port;
    }

    private Optional<Conduit> conduit(JsonValue at, ZoneRefs refs) {
        if (in.object(at, CONDUIT_KEYS).isEmpty()) {
            return Optional.empty();
        }
        Optional<String> from = in.required(at, "from", "a zone the traffic comes from").flatMap(f -> refs.zone(f, false));
        Optional<String> to = in.required(at, "to", "a zone the traffic goes to, or \"gateway\"")
                .flatMap(t -> refs.zone(t, true));
        Optional<String> protocol = in.required(at, "protocol", "one of " + String.join(", ", PROTOCOLS))
                .flatMap(p -> in.oneOf(p, "protocol", PROTOCOLS));
        Optional<JsonValue> portsField = at.get("ports");
        List<String> portRanges = in.optionalList(at, "ports", this::portRange);
        protocol.filter(p -> portsField.isPresent() && !FORWARD_PROTOCOLS.contains(p))
                .ifPresent(p -> in.error(portsField.get().pointer(), "ports apply only to tcp and udp; this conduit's "
                        + "protocol is " + p));
        List<String> sources = in.optionalList(at, "sources",
                s -> Addresses.networkCidr(in, s).map(Ipv4Cidr::toString));
        Optional<RateLimit> rateLimit = at.get("rateLimit").flatMap(this::rateLimit);
        if (from.isEmpty() || to.isEmpty() || protocol.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Conduit(from.get(), to.get(), protocol.get(), portRanges, sources, rateLimit));
    }

    /** {"rate": 6, "per": "minute", "burst": 3}: burst defaults to 5, nft's own default. */
    private Optional<RateLimit> rateLimit(JsonValue at) {
        if (in.object(at, RATE_LIMIT_KEYS).isEmpty()) {
            return Optional.empty();
        }
        Optional<Integer> rate = in.required(at, "rate", "an integer 1.." + MAX_RATE)
                .flatMap(r -> in.integer(r, 1, MAX_RATE));
        Optional<String> per = in.required(at, "per", "one of " + String.join(", ", RATE_PERIODS))
                .flatMap(p -> in.oneOf(p, "per", RATE_PERIODS));
        Optional<Integer> burst = at.get("burst").map(b -> in.integer(b, 1, MAX_RATE)).orElse(Optional.of(5));
        if (rate.isEmpty() || per.isEmpty() || burst.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new RateLimit(rate.get(), per.get(), burst.get()));
    }

    /** "22", "8000-8100" or the number 22; kept as text, as the API carries it. */
    private Optional<String> portRange(JsonValue at) {
        if (at.isInteger()) {
            return in.integer(at, 1, 65535).map(String::valueOf);
        }
        Optional<String> text = in.matching(at, PORT_RANGE, PORT_EXPECTED);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        Matcher m = PORT_RANGE.matcher(text.get());
        m.matches();
        int low = Integer.parseInt(m.group(1));
        int high = m.group(2) == null ? low : Integer.parseInt(m.group(2));
        if (low < 1 || high > 65535) {
            in.error(at.pointer(), "port out of range in " + at.describe() + "; expected " + PORT_EXPECTED);
            return Optional.empty();
        }
        if (low > high) {
            in.error(at.pointer(), "range " + at.describe() + " is reversed; expected low-high with low <= high");
            return Optional.empty();
        }
        return text;
    }

    private Optional<PortForward> portForward(JsonValue at) {
        if (in.object(at, FORWARD_KEYS).isEmpty()) {
            return Optional.empty();
        }
        Optional<String> from = in.required(at, "from", "the uplink port the traffic comes in on")
                .flatMap(this::uplinkPort);
        Optional<String> protocol = in.required(at, "protocol", "tcp or udp")
                .flatMap(p -> in.oneOf(p, "protocol", FORWARD_PROTOCOLS));
        Optional<Integer> port = in.required(at, "port", "a port 1..65535").flatMap(p -> in.integer(p, 1, 65535));
        Optional<Ipv4Address> toAddress = in.required(at, "toAddress", "the IPv4 address of the inside host")
                .flatMap(a -> Addresses.hostAddress(in, a));
        Optional<Integer> toPort = at.get("toPort").flatMap(p -> in.integer(p, 1, 65535));
        List<String> sources = in.optionalList(at, "sources",
                s -> Addresses.networkCidr(in, s).map(Ipv4Cidr::toString));
        if (from.isEmpty() || protocol.isEmpty() || port.isEmpty() || toAddress.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new PortForward(from.get(), protocol.get(), port.get(), toAddress.get().toString(), toPort,
                sources));
    }

    private Optional<String> uplinkPort(JsonValue at) {
        return ports.reference(in, at).filter(p -> {
            Optional<PortRole> role = ports.role(p);
            if (role.isPresent() && role.get() != PortRole.UPLINK) {
                in.error(at.pointer(), "port forwards come in on an uplink; port " + p + " is " + role.get().id());
                return false;
            }
            return true;
        });
    }
}
