package io.isthmus.api.linux;

import io.isthmus.api.net.Ipv4Cidr;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * An IPv4 policy routing rule: {@code ip rule add pref P [from X] [iif D] table T [suppress_prefixlength N]}.
 *
 * @param suppressPrefixLength a route the table gives with a prefix this long or shorter is not taken: with 0,
 *                             the table's default route is ignored and the lookup goes on to the next rule
 */
@ProviderType
public record Rule(int priority, Optional<Ipv4Cidr> from, Optional<String> inputInterface, int table, int protocol,
        Optional<Integer> suppressPrefixLength) {

    /** Without suppress_prefixlength. */
    public Rule(int priority, Optional<Ipv4Cidr> from, Optional<String> inputInterface, int table, int protocol) {
        this(priority, from, inputInterface, table, protocol, Optional.empty());
    }

    public boolean ownedByIsthmus() {
        return protocol == Route.ISTHMUS_PROTOCOL;
    }
}
