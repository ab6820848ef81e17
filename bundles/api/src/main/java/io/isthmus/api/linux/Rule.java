package io.isthmus.api.linux;

import io.isthmus.api.net.Ipv4Cidr;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/** An IPv4 policy routing rule: {@code ip rule add pref P [from X] [iif D] table T}. */
@ProviderType
public record Rule(int priority, Optional<Ipv4Cidr> from, Optional<String> inputInterface, int table, int protocol) {
    public boolean ownedByIsthmus() {
        return protocol == Route.ISTHMUS_PROTOCOL;
    }
}
