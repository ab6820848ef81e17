package io.isthmus.api.linux;

import io.isthmus.api.net.Ipv4Cidr;
import java.util.Optional;

/** An IPv4 policy routing rule: {@code ip rule add pref P [from X] [iif D] table T}. */
public record Rule(int priority, Optional<Ipv4Cidr> from, Optional<String> inputInterface, int table, int protocol) {
    public boolean ownedByIsthmus() {
        return protocol == Route.ISTHMUS_PROTOCOL;
    }
}
