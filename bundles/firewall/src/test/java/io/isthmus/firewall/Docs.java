package io.isthmus.firewall;

import io.isthmus.api.config.DnsConfig;
import io.isthmus.api.config.FirewallConfig;
import io.isthmus.api.config.Ipv4Config;
import io.isthmus.api.config.ManagementConfig;
import io.isthmus.api.config.MulticastConfig;
import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.config.PortConfig;
import io.isthmus.api.config.UplinkConfig;
import io.isthmus.api.net.Ipv4Cidr;
import io.isthmus.api.net.PortKind;
import io.isthmus.api.net.PortRole;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The lab's shape: eth0 DHCP and wwan0 uplinks, eth1 DMZ 192.168.50.1/24, eth2 offline 10.20.0.1/24. */
final class Docs {
    private Docs() {
    }

    static NetworkDocument lab(FirewallConfig firewall, MulticastConfig multicast) {
        Map<String, PortConfig> ports = new LinkedHashMap<>();
        ports.put("eth0", port(PortRole.UPLINK, new Ipv4Config.Dhcp()));
        ports.put("wwan0", port(PortRole.UPLINK, staticIp("100.65.1.10/24")));
        ports.put("eth1", port(PortRole.DMZ, staticIp("192.168.50.1/24")));
        ports.put("eth2", port(PortRole.OFFLINE, staticIp("10.20.0.1/24")));
        return new NetworkDocument(ports, List.of(), UplinkConfig.defaults(), firewall, multicast, DnsConfig.empty(),
                ManagementConfig.empty(), Map.of());
    }

    static NetworkDocument lab(FirewallConfig firewall) {
        return lab(firewall, MulticastConfig.empty());
    }

    static PortConfig port(PortRole role, Ipv4Config ipv4) {
        return new PortConfig(PortKind.ETHERNET, role, 0, ipv4, Optional.empty(), Optional.empty(), List.of(), Map.of());
    }

    static Ipv4Config staticIp(String cidr) {
        return new Ipv4Config.Static(Ipv4Cidr.parse(cidr).orElseThrow(), Optional.empty());
    }

    static FirewallConfig.Conduit conduit(String from, String to, String protocol, List<String> ports,
            List<String> sources) {
        return new FirewallConfig.Conduit(from, to, protocol, ports, sources);
    }

    static FirewallConfig.PortForward forward(int port, String to, int toPort, List<String> sources) {
        return new FirewallConfig.PortForward("eth0", "tcp", port, to, Optional.of(toPort), sources);
    }

    static FirewallConfig firewall(List<FirewallConfig.Conduit> conduits, List<FirewallConfig.PortForward> forwards) {
        return new FirewallConfig(Map.of(), conduits, forwards, List.of());
    }
}
