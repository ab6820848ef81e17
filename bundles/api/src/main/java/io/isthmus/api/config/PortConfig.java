package io.isthmus.api.config;

import io.isthmus.api.net.PortKind;
import io.isthmus.api.net.PortRole;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * One port of the document, with the profile's port map defaults already filled in.
 *
 * @param mtu     empty: keep what the kernel has
 * @param mac     empty: keep the hardware address
 * @param dns     DNS servers learned from this port are replaced by these when not empty
 * @param driver  driver-specific settings ({@code wifi}, {@code cellular} objects) as plain values
 */
@ProviderType
public record PortConfig(PortKind kind, PortRole role, int cost, Ipv4Config ipv4, Optional<Integer> mtu,
        Optional<String> mac, List<String> dns, Map<String, Object> driver) {

    public PortConfig {
        dns = List.copyOf(dns);
        driver = Map.copyOf(driver);
    }
}
