package io.isthmus.config.impl;

import io.isthmus.api.config.Addresses;
import io.isthmus.api.config.KnownPorts;
import io.isthmus.api.config.RouteConfig;
import io.isthmus.api.json.JsonReader;
import io.isthmus.api.json.JsonValue;
import io.isthmus.api.net.Ipv4Address;
import io.isthmus.api.net.Ipv4Cidr;
import io.isthmus.api.net.PortRole;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** Reads {@code /routes}: static routes, checked against the ports they go through. */
final class RoutesSection {
    static final List<String> KEYS = List.of("destination", "gateway", "interface", "metric");
    static final int DEFAULT_METRIC = 100;
    /**
     * Where a route through an offline port may lead: private-use (RFC 1918), shared (RFC 6598, carrier-grade NAT)
     * and link-local (RFC 3927) space, never a public address. Documentation and benchmarking ranges are left
     * out on purpose: examples and the lab use them for the internet.
     */
    static final List<Ipv4Cidr> OFFLINE_DESTINATIONS = List.of(Ipv4Cidr.parse("10.0.0.0/8").orElseThrow(),
            Ipv4Cidr.parse("172.16.0.0/12").orElseThrow(), Ipv4Cidr.parse("192.168.0.0/16").orElseThrow(),
            Ipv4Cidr.parse("100.64.0.0/10").orElseThrow(), Ipv4Cidr.parse("169.254.0.0/16").orElseThrow());

    private final JsonReader in;
    private final KnownPorts ports;

    RoutesSection(JsonReader in, KnownPorts ports) {
        this.in = in;
        this.ports = ports;
    }

    List<RouteConfig> read(Optional<JsonValue> section) {
        return section.flatMap(s -> in.list(s, this::route)).orElse(List.of());
    }

    private Optional<RouteConfig> route(JsonValue at) {
        if (in.object(at, KEYS).isEmpty()) {
            return Optional.empty();
        }
        Optional<Ipv4Cidr> destination = in.required(at, "destination",
                "a network like 192.168.20.0/24, or 0.0.0.0/0 for the default route").flatMap(a -> Addresses.networkCidr(in, a));
        Optional<JsonValue> gatewayField = at.get("gateway");
        Optional<JsonValue> interfaceField = at.get("interface");
        Optional<Ipv4Address> gateway = gatewayField.flatMap(a -> Addresses.hostAddress(in, a));
        Optional<String> interfaceName = interfaceField.flatMap(i -> ports.reference(in, i));
        int metric = at.get("metric").flatMap(m -> in.integer(m, 0, Integer.MAX_VALUE)).orElse(DEFAULT_METRIC);
        if (gatewayField.isEmpty() && interfaceField.isEmpty()) {
            in.error(at.pointer(), "a route needs \"gateway\", \"interface\" or both");
            return Optional.empty();
        }
        Optional<String> via = interfaceName.or(() -> gateway.flatMap(ports::portOnSubnetOf));
        if (destination.isPresent() && via.flatMap(ports::role).equals(Optional.of(PortRole.OFFLINE))) {
            checkOffline(at, destination.get(), via.get(), interfaceField.or(() -> gatewayField).orElseThrow());
        }
        if (interfaceName.isPresent() && gateway.isPresent()) {
            ports.staticAddress(interfaceName.get()).filter(subnet -> !subnet.contains(gateway.get()))
                    .ifPresent(subnet -> in.error(gatewayField.get().pointer(), "gateway " + gateway.get()
                            + " is outside " + subnet.network() + ", the subnet of port " + interfaceName.get()
                            + "; expected an address inside it"));
        }
        gateway.flatMap(g -> via.flatMap(ports::staticAddress).flatMap(subnet -> Addresses.notAHostOn(subnet, g)))
                .ifPresent(why -> in.error(gatewayField.get().pointer(), "gateway " + gateway.get() + " " + why
                        + "; expected a host of that subnet"));
        return destination.map(d -> new RouteConfig(d, gateway, interfaceName, metric));
    }

    /**
     * A route through an offline port (named, or reached through its subnet) never covers public address space:
     * not the default route, and not one in all but name (0.0.0.0/1 and 128.0.0.0/1).
     */
    private void checkOffline(JsonValue route, Ipv4Cidr destination, String port, JsonValue culprit) {
        if (destination.prefix() == 0) {
            in.error(culprit.pointer(), "an offline port never carries a default route; port " + port + " is offline");
        } else if (OFFLINE_DESTINATIONS.stream().noneMatch(r -> r.prefix() <= destination.prefix()
                && r.contains(destination.address()))) {
            in.error(route.pointer() + "/destination", destination + " reaches beyond private address space; a route "
                    + "through offline port " + port + " must lie inside one of " + OFFLINE_DESTINATIONS.stream()
                            .map(Ipv4Cidr::toString).collect(Collectors.joining(", ")));
        }
    }
}
