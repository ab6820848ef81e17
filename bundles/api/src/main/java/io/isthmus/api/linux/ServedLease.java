package io.isthmus.api.linux;

import io.isthmus.api.net.Ipv4Address;
import java.time.Instant;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/** A lease the gateway's DHCP server handed out on {@code device}; {@code name} is the host name the client sent. */
@ProviderType
public record ServedLease(String device, String mac, Ipv4Address address, Optional<String> name, Instant expiry) {
}
