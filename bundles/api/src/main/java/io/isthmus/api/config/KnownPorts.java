package io.isthmus.api.config;

import io.isthmus.api.json.JsonReader;
import io.isthmus.api.json.JsonValue;
import io.isthmus.api.net.Ipv4Address;
import io.isthmus.api.net.Ipv4Cidr;
import io.isthmus.api.net.PortRole;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.osgi.annotation.versioning.ProviderType;

/**
 * What the ports section declared, for the sections that refer to ports. Names, roles and static
 * addresses are kept even for ports with errors elsewhere, so that one mistake does not cascade into
 * "no such port" errors all over the document. The config service reads {@code /ports} and hands this to every
 * {@link SectionReader} ({@link SectionContext#ports()}), so a section names ports in one way.
 *
 * @param configs only the ports that parsed completely, in document order
 */
@ProviderType
public record KnownPorts(Map<String, PortConfig> configs, Set<String> names, Map<String, PortRole> roles,
        Map<String, Ipv4Cidr> staticAddresses) {

    public KnownPorts {
        configs = Collections.unmodifiableMap(new LinkedHashMap<>(configs));
        names = Collections.unmodifiableSet(new LinkedHashSet<>(names));
        roles = Collections.unmodifiableMap(new LinkedHashMap<>(roles));
        staticAddresses = Collections.unmodifiableMap(new LinkedHashMap<>(staticAddresses));
    }

    public boolean exists(String name) {
        return names.contains(name);
    }

    public Optional<PortRole> role(String name) {
        return Optional.ofNullable(roles.get(name));
    }

    public Optional<Ipv4Cidr> staticAddress(String name) {
        return Optional.ofNullable(staticAddresses.get(name));
    }

    /** The port whose static subnet holds {@code address}, if any. */
    public Optional<String> portOnSubnetOf(Ipv4Address address) {
        return staticAddresses.entrySet().stream().filter(e -> e.getValue().contains(address)).map(Map.Entry::getKey)
                .findFirst();
    }

    /** A string naming a port of this document. */
    public Optional<String> reference(JsonReader in, JsonValue at) {
        return in.string(at).flatMap(name -> exists(name) ? Optional.of(name)
                : in.fail(at, "no port " + JsonValue.quote(name) + " in this document; its ports are "
                        + (names.isEmpty() ? "none" : String.join(", ", names))));
    }
}
