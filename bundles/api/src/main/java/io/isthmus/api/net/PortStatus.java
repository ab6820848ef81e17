package io.isthmus.api.net;

import java.util.List;

/** What a port driver reports about one port. */
public record PortStatus(String name, PortKind kind, PortRole role, boolean present, boolean carrier,
        List<Ipv4Cidr> addresses, long rxBytes, long txBytes) {
    public PortStatus {
        addresses = List.copyOf(addresses);
    }
}
