package io.isthmus.services;

import io.isthmus.api.config.DnsConfig;
import io.isthmus.api.config.FirewallConfig;
import io.isthmus.api.config.Ipv4Config;
import io.isthmus.api.config.ManagementConfig;
import io.isthmus.api.config.MulticastConfig;
import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.config.PortConfig;
import io.isthmus.api.config.UplinkConfig;
import io.isthmus.api.json.StrictJson;
import io.isthmus.api.net.Ipv4Cidr;
import io.isthmus.api.net.PortKind;
import io.isthmus.api.net.PortRole;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The lab's ports (eth0 uplink by DHCP, eth1 dmz 192.168.50.1/24, eth2 offline 10.20.0.1/24) and a section. */
final class Documents {
    private Documents() {
    }

    static NetworkDocument withServices(String servicesJson) throws Exception {
        Map<String, PortConfig> ports = new LinkedHashMap<>();
        ports.put("eth0", port(PortRole.UPLINK, new Ipv4Config.Dhcp()));
        ports.put("wwan0", port(PortRole.UPLINK, new Ipv4Config.Static(Ipv4Cidr.parse("100.65.1.10/24").orElseThrow(),
                Optional.empty())));
        ports.put("eth1", port(PortRole.DMZ, new Ipv4Config.Static(Ipv4Cidr.parse("192.168.50.1/24").orElseThrow(),
                Optional.empty())));
        ports.put("eth2", port(PortRole.OFFLINE, new Ipv4Config.Static(Ipv4Cidr.parse("10.20.0.1/24").orElseThrow(),
                Optional.empty())));
        Map<String, Object> extensions = servicesJson.isEmpty() ? Map.of()
                : Map.of("services", StrictJson.read(servicesJson));
        return new NetworkDocument(ports, List.of(), UplinkConfig.defaults(), FirewallConfig.empty(),
                new MulticastConfig(List.of()), DnsConfig.empty(), ManagementConfig.empty(), extensions);
    }

    static PortConfig port(PortRole role, Ipv4Config ipv4) {
        return new PortConfig(PortKind.ETHERNET, role, 0, ipv4, Optional.empty(), Optional.empty(), List.of(),
                Map.of());
    }

    static final String LAB = """
            {"domain": "plant.lan", "ports": {
              "eth1": {"dhcp": {"start": "192.168.50.100", "end": "192.168.50.150", "leaseSeconds": 600,
                                "reservations": [{"mac": "02:AA:00:00:00:01", "address": "192.168.50.20",
                                                  "name": "hmi1"}]},
                       "dns": {}},
              "eth2": {"dhcp": {"start": "10.20.0.100", "end": "10.20.0.150"}, "dns": {}}}}""";
}
