package io.isthmus.api.config;

import io.isthmus.api.net.Ipv4Address;
import io.isthmus.api.net.Ipv4Cidr;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/** How a port gets its IPv4 address. */
@ProviderType
public sealed interface Ipv4Config {

    /** DHCP. The router option is used only on uplinks (an offline port never takes a default route). */
    record Dhcp() implements Ipv4Config {
    }

    /** A static address; an uplink also needs its gateway (all or nothing). */
    record Static(Ipv4Cidr address, Optional<Ipv4Address> gateway) implements Ipv4Config {
    }

    /** No IPv4 on this port. */
    record Disabled() implements Ipv4Config {
    }
}
