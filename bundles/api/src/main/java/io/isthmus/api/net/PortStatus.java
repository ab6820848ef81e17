package io.isthmus.api.net;

import java.util.List;
import java.util.Optional;

/**
 * What a port driver reports about one port.
 *
 * @param present  the kernel has the interface
 * @param carrier  link is up (cable in, peer there)
 * @param addresses the IPv4 addresses the driver put on the port (static, or from a DHCP lease)
 * @param gateway  the port's gateway: static, or the DHCP router option (only ever on uplinks)
 * @param dns      DNS servers of the port: the document's, else the lease's
 * @param problem  why the port is not as the document wants it, if it is not
 */
public record PortStatus(String name, PortKind kind, PortRole role, int cost, boolean present, boolean carrier,
        List<Ipv4Cidr> addresses, Optional<Ipv4Address> gateway, List<Ipv4Address> dns, Optional<Integer> mtu,
        Optional<String> mac, long rxBytes, long txBytes, Optional<String> problem) {
    public PortStatus {
        addresses = List.copyOf(addresses);
        dns = List.copyOf(dns);
    }
}
