package io.isthmus.api.config;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/** Resolvers the gateway itself uses; empty means: those learned from the active uplink. */
@ProviderType
public record DnsConfig(List<String> servers) {
    public DnsConfig {
        servers = List.copyOf(servers);
    }

    public static DnsConfig empty() {
        return new DnsConfig(List.of());
    }
}
