package io.isthmus.api.firewall;

import io.isthmus.api.config.NetworkDocument;
import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard: a capability that serves something on the gateway itself (DHCP, DNS, NTP) says which host-input
 * openings a document needs. The firewall puts them in its one table, in the same atomic write as the rest, and
 * plans again when such a service comes or goes. Must be a pure, fast function of the document. Openings on an
 * uplink are never made, whatever a provider asks.
 */
@ConsumerType
public interface HostOpenings {

    /** udp or tcp to {@code dport} on the gateway, from interface {@code port}; {@code service} names it. */
    record Opening(String port, String protocol, int dport, String service) {
    }

    List<Opening> openings(NetworkDocument doc);
}
