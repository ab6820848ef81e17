package io.isthmus.api.linux;

import io.isthmus.api.net.Ipv4Address;
import io.isthmus.api.net.Ipv4Cidr;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/** What a DHCP server gave: the address is applied by the caller, never by the DHCP client itself. */
@ProviderType
public record DhcpLease(String device, Ipv4Cidr address, Optional<Ipv4Address> router, List<Ipv4Address> dns,
        Optional<Integer> mtu, Duration leaseTime) {
    public DhcpLease {
        dns = List.copyOf(dns);
    }
}
