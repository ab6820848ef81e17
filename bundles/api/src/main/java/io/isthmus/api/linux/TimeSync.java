package io.isthmus.api.linux;

import io.isthmus.api.net.Ipv4Cidr;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Where the gateway takes its time from and to whom it gives it, already validated and resolved from the document.
 *
 * @param servers NTP servers, host names or IPv4 addresses, in order of preference (at least one)
 * @param serve   the subnets of the inside interfaces the gateway serves time to; empty serves nobody
 * @param origin  where the servers come from, for status: {@code document}, {@code dhcp <uplink>} (option 42 of
 *                the active uplink's lease) or {@code default}
 */
@ProviderType
public record TimeSync(List<String> servers, List<Ipv4Cidr> serve, String origin) {
    public TimeSync {
        servers = List.copyOf(servers);
        serve = List.copyOf(serve);
    }

    /** Servers the document names (the constructor of api.linux 1.7, kept for its callers). */
    public TimeSync(List<String> servers, List<Ipv4Cidr> serve) {
        this(servers, serve, "document");
    }
}
