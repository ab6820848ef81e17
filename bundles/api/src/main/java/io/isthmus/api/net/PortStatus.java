package io.isthmus.api.net;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * What a port driver reports about one port.
 *
 * @param present  the kernel has the interface
 * @param carrier  link is up (cable in, peer there)
 * @param addresses the IPv4 addresses the driver put on the port (static, or from a DHCP lease)
 * @param gateway  the port's gateway: static, or the DHCP router option (only ever on uplinks)
 * @param dns      DNS servers of the port: the document's, else the lease's
 * @param problem  why the port is not as the document wants it, if it is not
 * @param details  what only this kind of port has (WiFi: state, signal, BSSID; cellular: registration,
 *                 operator, bearer), as plain JSON values; never secrets
 */
@ProviderType
public record PortStatus(String name, PortKind kind, PortRole role, int cost, boolean present, boolean carrier,
        List<Ipv4Cidr> addresses, Optional<Ipv4Address> gateway, List<Ipv4Address> dns, Optional<Integer> mtu,
        Optional<String> mac, long rxBytes, long txBytes, Optional<String> problem, Map<String, Object> details) {
    public PortStatus {
        addresses = List.copyOf(addresses);
        dns = List.copyOf(dns);
        details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    /** A port without kind-specific details (Ethernet). */
    public PortStatus(String name, PortKind kind, PortRole role, int cost, boolean present, boolean carrier,
            List<Ipv4Cidr> addresses, Optional<Ipv4Address> gateway, List<Ipv4Address> dns, Optional<Integer> mtu,
            Optional<String> mac, long rxBytes, long txBytes, Optional<String> problem) {
        this(name, kind, role, cost, present, carrier, addresses, gateway, dns, mtu, mac, rxBytes, txBytes, problem,
                Map.of());
    }

    /** This status with the driver's own details and, if the driver knows better, its own problem. */
    public PortStatus with(Map<String, Object> driverDetails, Optional<String> driverProblem) {
        return new PortStatus(name, kind, role, cost, present, carrier, addresses, gateway, dns, mtu, mac, rxBytes,
                txBytes, driverProblem.or(() -> problem), driverDetails);
    }
}
