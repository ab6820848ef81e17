package io.isthmus.api.net;

import java.util.Arrays;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/** What a port is for. The role decides routing and firewall defaults. */
@ProviderType
public enum PortRole {
    /** May carry the default route; takes part in failover by cost. */
    UPLINK,
    /** A demilitarised zone: routed to the uplinks. */
    DMZ,
    /** A local network: routed to the uplinks. */
    LAN,
    /** An isolated OT network: never a default route, never reachable from an uplink. */
    OFFLINE,
    /** A management-only network. */
    MGMT;

    /** The name used in the network document. */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Optional<PortRole> of(String id) {
        return Arrays.stream(values()).filter(r -> r.id().equals(id)).findFirst();
    }
}
