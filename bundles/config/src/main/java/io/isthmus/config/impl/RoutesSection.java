package io.isthmus.config.impl;

import io.isthmus.api.config.RouteConfig;
import io.isthmus.api.net.Ipv4Address;
import io.isthmus.api.net.Ipv4Cidr;
import io.isthmus.api.net.PortRole;
import java.util.List;
import java.util.Optional;

/** Reads {@code /routes}: static routes, checked against the ports they go through. */
final class RoutesSection {
    static final List<String> KEYS = List.of("destination", "gateway", "interface", "metric");
    static final int DEFAULT_METRIC = 100;

    private final ValueReader in;
    private final KnownPorts ports;

    RoutesSection(ValueReader in, KnownPorts ports) {
        this.in = in;
        this.ports = ports;
    }

    List<RouteConfig> read(Optional<Located> section) {
        return section.flatMap(s -> in.list(s, this::route)).orElse(List.of());
    }

    private Optional<RouteConfig> route(Located at) {
        if (in.object(at, KEYS).isEmpty()) {
            return Optional.empty();
        }
        Optional<Ipv4Cidr> destination = in.required(at, "destination",
                "a network like 192.168.20.0/24, or 0.0.0.0/0 for the default route").flatMap(in::networkCidr);
        Optional<Located> gatewayField = at.get("gateway");
        Optional<Located> interfaceField = at.get("interface");
        Optional<Ipv4Address> gateway = gatewayField.flatMap(in::address);
        Optional<String> interfaceName = interfaceField.flatMap(i -> ports.reference(in, i));
        int metric = at.get("metric").flatMap(m -> in.integer(m, 0, Integer.MAX_VALUE)).orElse(DEFAULT_METRIC);
        if (gatewayField.isEmpty() && interfaceField.isEmpty()) {
            in.error(at.pointer(), "a route needs \"gateway\", \"interface\" or both");
            return Optional.empty();
        }
        if (destination.filter(d -> d.prefix() == 0).isPresent()) {
            checkNotOffline(interfaceField, interfaceName, gatewayField, gateway);
        }
        if (interfaceName.isPresent() && gateway.isPresent()) {
            ports.staticAddress(interfaceName.get()).filter(subnet -> !subnet.contains(gateway.get()))
                    .ifPresent(subnet -> in.error(gatewayField.get().pointer(), "gateway " + gateway.get()
                            + " is outside " + subnet.network() + ", the subnet of port " + interfaceName.get()
                            + "; expected an address inside it"));
        }
        return destination.map(d -> new RouteConfig(d, gateway, interfaceName, metric));
    }

    /** The default route never leaves through an offline port, whether named or reached through its subnet. */
    private void checkNotOffline(Optional<Located> interfaceField, Optional<String> interfaceName,
            Optional<Located> gatewayField, Optional<Ipv4Address> gateway) {
        Optional<String> via = interfaceName.or(() -> gateway.flatMap(ports::portOnSubnetOf));
        if (via.flatMap(ports::role).equals(Optional.of(PortRole.OFFLINE))) {
            Located culprit = interfaceField.or(() -> gatewayField).orElseThrow();
            in.error(culprit.pointer(), "an offline port never carries a default route; port " + via.get()
                    + " is offline");
        }
    }
}
