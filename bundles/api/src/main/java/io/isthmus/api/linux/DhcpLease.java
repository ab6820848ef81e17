package io.isthmus.api.linux;

import io.isthmus.api.net.Ipv4Address;
import io.isthmus.api.net.Ipv4Cidr;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * What a DHCP server gave: the address is applied by the caller, never by the DHCP client itself.
 *
 * @param ntp the NTP servers (option 42), asked for and reported on uplinks only, like the router
 */
@ProviderType
public record DhcpLease(String device, Ipv4Cidr address, Optional<Ipv4Address> router, List<Ipv4Address> dns,
        Optional<Integer> mtu, Duration leaseTime, List<Ipv4Address> ntp) {
    public DhcpLease {
        dns = List.copyOf(dns);
        ntp = List.copyOf(ntp);
    }

    /** A lease without NTP servers (the constructor of api.linux 1.7, kept for its callers). */
    public DhcpLease(String device, Ipv4Cidr address, Optional<Ipv4Address> router, List<Ipv4Address> dns,
            Optional<Integer> mtu, Duration leaseTime) {
        this(device, address, router, dns, mtu, leaseTime, List.of());
    }
}
