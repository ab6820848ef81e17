package io.isthmus.linux;

import com.fasterxml.jackson.databind.JsonNode;
import io.isthmus.api.linux.Diagnostics.RouteLookup;
import io.isthmus.api.linux.KernelException;
import io.isthmus.api.net.Ipv4Address;
import java.util.List;
import java.util.Optional;

/** Reads {@code ip -j route get}: one object with type (absent for unicast), dev, gateway, prefsrc, table. */
final class RouteGetJson {
    private RouteGetJson() {
    }

    static RouteLookup parse(Ipv4Address destination, List<JsonNode> objects) throws KernelException {
        if (objects.isEmpty()) {
            throw new KernelException("ip route get printed no route");
        }
        JsonNode r = objects.get(0);
        return new RouteLookup(destination, IpJson.text(r, "type").orElse("unicast"), IpJson.text(r, "dev"),
                IpJson.optionalAddress(r, "gateway"),
                IpJson.optionalAddress(r, "prefsrc").or(() -> fromAddress(r)), IpJson.text(r, "table"),
                Optional.empty());
    }

    private static Optional<Ipv4Address> fromAddress(JsonNode r) {
        return IpJson.text(r, "from").flatMap(Ipv4Address::parse);
    }
}
