package io.isthmus.net.cellular;

import io.isthmus.api.net.Ipv4Address;
import io.isthmus.api.net.Ipv4Cidr;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A bearer's properties: connected or not, its data interface, the IPv4 settings the network gave, its APN.
 *
 * @param error the ConnectionError ModemManager recorded (D-Bus error name), if any
 */
record BearerView(String path, boolean connected, Optional<String> interfaceName, Optional<Ip4> ip4,
        Optional<String> apn, Optional<String> error) {

    static final String BEARER = "org.freedesktop.ModemManager1.Bearer";

    /** Ip4Config of a bearer whose method is static or DHCP (ModemManager read the settings from the modem). */
    record Ip4(Ipv4Cidr address, Optional<Ipv4Address> gateway, List<Ipv4Address> dns, Optional<Integer> mtu) {
    }

    static BearerView of(String path, Map<String, Object> p) {
        Optional<Ip4> ip4 = Optional.empty();
        if (p.get("Ip4Config") instanceof Map<?, ?> c) {
            ip4 = ip4(c);
        }
        Optional<String> apn = Optional.empty();
        if (p.get("Properties") instanceof Map<?, ?> props) {
            apn = ModemView.text(props.get("apn"));
        }
        Optional<String> error = Optional.empty();
        if (p.get("ConnectionError") instanceof List<?> e && !e.isEmpty()) {
            error = ModemView.text(e.get(0));
        }
        return new BearerView(path, Boolean.TRUE.equals(p.get("Connected")), ModemView.text(p.get("Interface")),
                ip4, apn, error);
    }

    private static Optional<Ip4> ip4(Map<?, ?> c) {
        Optional<Ipv4Address> address = ModemView.text(c.get("address")).flatMap(Ipv4Address::parse);
        int prefix = ModemView.integer(c.get("prefix"), 0);
        if (address.isEmpty() || prefix < 1 || prefix > 32) {
            return Optional.empty();
        }
        List<Ipv4Address> dns = new ArrayList<>();
        for (String key : List.of("dns1", "dns2", "dns3")) {
            ModemView.text(c.get(key)).flatMap(Ipv4Address::parse).ifPresent(dns::add);
        }
        int mtu = ModemView.integer(c.get("mtu"), 0);
        return Optional.of(new Ip4(new Ipv4Cidr(address.get(), prefix),
                ModemView.text(c.get("gateway")).flatMap(Ipv4Address::parse), dns,
                mtu >= 68 ? Optional.of(mtu) : Optional.empty()));
    }
}
