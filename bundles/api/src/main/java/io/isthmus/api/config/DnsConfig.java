package io.isthmus.api.config;

import java.util.List;

/** Resolvers the gateway itself uses; empty means: those learned from the active uplink. */
public record DnsConfig(List<String> servers) {
    public DnsConfig {
        servers = List.copyOf(servers);
    }

    public static DnsConfig empty() {
        return new DnsConfig(List.of());
    }
}
