package io.isthmus.api.linux;

import io.isthmus.api.net.Ipv4Cidr;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Where the gateway takes its time from and to whom it gives it, already validated and resolved from the document.
 *
 * @param servers NTP servers, host names or IPv4 addresses, in order of preference (at least one)
 * @param serve   the subnets of the inside interfaces the gateway serves time to; empty serves nobody
 */
@ProviderType
public record TimeSync(List<String> servers, List<Ipv4Cidr> serve) {
    public TimeSync {
        servers = List.copyOf(servers);
        serve = List.copyOf(serve);
    }
}
