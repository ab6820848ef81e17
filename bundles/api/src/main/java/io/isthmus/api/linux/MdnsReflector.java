package io.isthmus.api.linux;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * An mDNS reflector (224.0.0.251:5353 is never routed) run by the gateway with its own configuration, limited
 * to some interfaces and service types.
 */
@ProviderType
public interface MdnsReflector {
    /**
     * Reflects announcements and queries of these service types (e.g. {@code _opcua-tcp._tcp}) between these
     * interfaces only; fewer than two interfaces stops the reflector. Restarts it only when something changed.
     */
    void reflect(List<String> interfaces, List<String> serviceTypes) throws KernelException;
}
