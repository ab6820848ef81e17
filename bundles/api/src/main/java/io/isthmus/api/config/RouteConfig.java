package io.isthmus.api.config;

import io.isthmus.api.net.Ipv4Address;
import io.isthmus.api.net.Ipv4Cidr;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/** A static route: lower metric wins; at least one of gateway and interface is given. */
@ProviderType
public record RouteConfig(Ipv4Cidr destination, Optional<Ipv4Address> gateway, Optional<String> interfaceName,
        int metric) {
}
