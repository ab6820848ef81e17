package io.isthmus.api.linux;

import io.isthmus.api.net.Ipv4Cidr;
import org.osgi.annotation.versioning.ProviderType;

/** An IPv4 address on an interface. */
@ProviderType
public record InterfaceAddress(String device, Ipv4Cidr address) {
}
