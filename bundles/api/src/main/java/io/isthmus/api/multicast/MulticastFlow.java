package io.isthmus.api.multicast;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/** A multicast flow forwarded by the gateway, with its packet counter. */
@ProviderType
public record MulticastFlow(String group, int port, String from, List<String> to, long packets) {
    public MulticastFlow {
        to = List.copyOf(to);
    }
}
