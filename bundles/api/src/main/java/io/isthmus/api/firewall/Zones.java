package io.isthmus.api.firewall;

import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.net.PortRole;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.osgi.annotation.versioning.ProviderType;

/**
 * What the firewall's and the multicast section's references mean, in ports: a zone of {@code /firewall/zones},
 * a role id (every port of that role) or a port of the document. Shared so both bundles read a reference the
 * same way.
 */
@ProviderType
public final class Zones {
    /** A conduit's {@code to} for traffic that ends at the box itself. */
    public static final String GATEWAY = "gateway";

    private Zones() {
    }

    /** The ports a reference names, in document order; empty for {@code gateway} or an unknown name. */
    public static Set<String> ports(NetworkDocument doc, String ref) {
        Set<String> ports = new LinkedHashSet<>();
        var zone = doc.firewall().zones().get(ref);
        if (zone != null) {
            ports.addAll(zone.ports());
        } else if (PortRole.of(ref).isPresent()) {
            doc.ports().forEach((name, port) -> {
                if (port.role().id().equals(ref)) {
                    ports.add(name);
                }
            });
        } else if (doc.ports().containsKey(ref)) {
            ports.add(ref);
        }
        return ports;
    }

    /** The ports of several references, in order, each once. */
    public static Set<String> ports(NetworkDocument doc, List<String> refs) {
        Set<String> ports = new LinkedHashSet<>();
        refs.forEach(r -> ports.addAll(ports(doc, r)));
        return ports;
    }

    /** Every port of one role. */
    public static Set<String> ports(NetworkDocument doc, PortRole role) {
        return ports(doc, role.id());
    }
}
