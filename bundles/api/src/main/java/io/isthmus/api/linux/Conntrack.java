package io.isthmus.api.linux;

import io.isthmus.api.net.Ipv4Address;
import org.osgi.annotation.versioning.ProviderType;

/** The connection-tracking table ({@code conntrack} tool). */
@ProviderType
public interface Conntrack {
    /**
     * Deletes the entries whose replies go to {@code address}: the flows source-NATed (masqueraded) to that
     * address, so they re-establish through another uplink at once. Returns how many were deleted.
     */
    int deleteNatedTo(Ipv4Address address) throws KernelException;
}
