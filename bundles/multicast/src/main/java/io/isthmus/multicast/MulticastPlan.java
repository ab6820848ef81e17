package io.isthmus.multicast;

import io.isthmus.api.config.MulticastConfig.PassThrough;
import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.firewall.Zones;
import io.isthmus.api.linux.MulticastRoute;
import io.isthmus.api.net.Ipv4Address;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the multicast section asks of the kernel, as a pure function of the document: one smcroute route per
 * inbound port and group (the UDP port is the firewall's business), and the ports the mDNS reflector serves.
 * mDNS (224.0.0.251:5353) is link-local and never routed: its flows only name the reflector's ports, and it
 * reflects the OPC UA discovery service types only.
 */
record MulticastPlan(List<MulticastRoute> routes, List<String> reflectorPorts) {
    static final String MDNS_GROUP = "224.0.0.251";
    static final int MDNS_PORT = 5353;
    static final List<String> OPCUA_SERVICE_TYPES = List.of("_opcua-tcp._tcp", "_opcua-tls._tcp");

    static MulticastPlan of(NetworkDocument doc) {
        Map<String, Set<String>> outByInboundAndGroup = new LinkedHashMap<>();
        Set<String> reflector = new LinkedHashSet<>();
        for (PassThrough flow : doc.multicast().passThrough()) {
            Set<String> from = Zones.ports(doc, flow.from());
            Set<String> to = Zones.ports(doc, flow.to());
            if (flow.group().equals(MDNS_GROUP)) {
                reflector.addAll(from);
                reflector.addAll(to);
                continue;
            }
            for (String in : from) {
                Set<String> out = outByInboundAndGroup.computeIfAbsent(in + " " + flow.group(),
                        k -> new LinkedHashSet<>());
                to.stream().filter(o -> !o.equals(in)).forEach(out::add);
            }
        }
        List<MulticastRoute> routes = new ArrayList<>();
        outByInboundAndGroup.forEach((key, out) -> {
            String[] parts = key.split(" ");
            if (!out.isEmpty()) {
                routes.add(new MulticastRoute(parts[0], Ipv4Address.parse(parts[1]).orElseThrow(), List.copyOf(out)));
            }
        });
        return new MulticastPlan(routes, reflector.size() < 2 ? List.of() : List.copyOf(reflector));
    }
}
