package io.isthmus.api.linux;

import io.isthmus.api.net.Ipv4Address;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/** A routed multicast group: from one inbound interface to one or more outbound interfaces, any source. */
@ProviderType
public record MulticastRoute(String inbound, Ipv4Address group, List<String> outbound) {
    public MulticastRoute {
        outbound = List.copyOf(outbound);
    }
}
