package io.isthmus.api.config;

import java.util.List;
import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The whole desired network state of one gateway, as the network document describes it.
 * Immutable; ports keep the order of the document.
 *
 * @param extensions top-level sections that capability bundles own and validate themselves, as
 *                   plain Java values (Map, List, String, Number, Boolean)
 */
@ProviderType
public record NetworkDocument(Map<String, PortConfig> ports, List<RouteConfig> routes, UplinkConfig uplink,
        FirewallConfig firewall, MulticastConfig multicast, DnsConfig dns, ManagementConfig management,
        Map<String, Object> extensions) {

    public NetworkDocument {
        ports = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(ports));
        routes = List.copyOf(routes);
        extensions = Map.copyOf(extensions);
    }
}
