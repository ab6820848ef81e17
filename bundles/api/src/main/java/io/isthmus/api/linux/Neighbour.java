package io.isthmus.api.linux;

import io.isthmus.api.net.Ipv4Address;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * An IPv4 neighbour the kernel knows on a link ({@code ip -j -4 neigh}).
 *
 * @param mac   its link-layer address, lower case; empty while unresolved (INCOMPLETE, FAILED)
 * @param state the kernel's NUD states, e.g. REACHABLE, STALE
 */
@ProviderType
public record Neighbour(String device, Ipv4Address address, Optional<String> mac, java.util.List<String> state) {
    public Neighbour {
        state = java.util.List.copyOf(state);
    }
}
