package io.isthmus.api.linux;

import io.isthmus.api.net.Ipv4Address;
import io.isthmus.api.net.Ipv4Cidr;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * An IPv4 route in a given table.
 *
 * @param destination empty for the default route
 * @param protocol    kernel rtm_protocol number; routes Isthmus creates carry {@link #ISTHMUS_PROTOCOL}
 * @param nexthops    the paths of a multipath route (then gateway and device are empty); empty otherwise
 */
@ProviderType
public record Route(int table, Optional<Ipv4Cidr> destination, Type type, Optional<Ipv4Address> gateway,
        Optional<String> device, int metric, Optional<Ipv4Address> source, int protocol, List<Nexthop> nexthops) {

    /** The rtm_protocol number Isthmus marks its routes and rules with (unassigned in rt_protos). */
    public static final int ISTHMUS_PROTOCOL = 73;
    public static final int MAIN_TABLE = 254;

    public enum Type { UNICAST, UNREACHABLE, BLACKHOLE, PROHIBIT, LOCAL, BROADCAST, OTHER }

    public Route {
        nexthops = List.copyOf(nexthops);
    }

    /** A single-path route. */
    public Route(int table, Optional<Ipv4Cidr> destination, Type type, Optional<Ipv4Address> gateway,
            Optional<String> device, int metric, Optional<Ipv4Address> source, int protocol) {
        this(table, destination, type, gateway, device, metric, source, protocol, List.of());
    }

    /** A multipath unicast route: new flows spread over the nexthops by their weights. */
    public static Route multipath(int table, Optional<Ipv4Cidr> destination, int metric, List<Nexthop> nexthops) {
        return new Route(table, destination, Type.UNICAST, Optional.empty(), Optional.empty(), metric,
                Optional.empty(), ISTHMUS_PROTOCOL, nexthops);
    }

    public boolean isMultipath() {
        return !nexthops.isEmpty();
    }

    public boolean isDefault() {
        return destination.isEmpty();
    }

    public boolean ownedByIsthmus() {
        return protocol == ISTHMUS_PROTOCOL;
    }
}
