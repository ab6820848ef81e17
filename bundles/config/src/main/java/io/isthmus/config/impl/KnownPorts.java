package io.isthmus.config.impl;

import io.isthmus.api.config.PortConfig;
import io.isthmus.api.json.JsonReader;
import io.isthmus.api.json.JsonValue;
import io.isthmus.api.net.Ipv4Address;
import io.isthmus.api.net.Ipv4Cidr;
import io.isthmus.api.net.PortRole;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the ports section declared, for the sections that refer to ports. Names, roles and static
 * addresses are kept even for ports with errors elsewhere, so that one mistake does not cascade into
 * "no such port" errors all over the document.
 *
 * @param configs only the ports that parsed completely, in document order
 */
record KnownPorts(Map<String, PortConfig> configs, Set<String> names, Map<String, PortRole> roles,
        Map<String, Ipv4Cidr> staticAddresses) {

    boolean exists(String name) {
        return names.contains(name);
    }

    Optional<PortRole> role(String name) {
        return Optional.ofNullable(roles.get(name));
    }

    Optional<Ipv4Cidr> staticAddress(String name) {
        return Optional.ofNullable(staticAddresses.get(name));
    }

    /** The port whose static subnet holds {@code address}, if any. */
    Optional<String> portOnSubnetOf(Ipv4Address address) {
        return staticAddresses.entrySet().stream().filter(e -> e.getValue().contains(address)).map(Map.Entry::getKey)
                .findFirst();
    }

    /** A string naming a port of this document. */
    Optional<String> reference(JsonReader in, JsonValue at) {
        return in.string(at).flatMap(name -> exists(name) ? Optional.of(name)
                : in.fail(at, "no port " + JsonValue.quote(name) + " in this document; its ports are "
                        + (names.isEmpty() ? "none" : String.join(", ", names))));
    }
}
