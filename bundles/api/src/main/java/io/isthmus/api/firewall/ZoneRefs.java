package io.isthmus.api.firewall;

import io.isthmus.api.config.KnownPorts;
import io.isthmus.api.json.JsonReader;
import io.isthmus.api.json.JsonValue;
import io.isthmus.api.net.PortRole;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Resolves zone references: a zone declared under {@code /firewall/zones}, a role id (every port of
 * that role) or {@code "gateway"}, the box itself. The firewall's reader resolves its conduits with it and the
 * multicast reader its flows, with the zones of the firewall section it reads after: one meaning in both bundles.
 */
@ProviderType
public final class ZoneRefs {
    public static final String GATEWAY = "gateway";
    public static final List<String> ROLE_IDS = Arrays.stream(PortRole.values()).map(PortRole::id).toList();

    private final JsonReader in;
    private final Set<String> zones;

    public ZoneRefs(JsonReader in, Set<String> zones) {
        this.in = in;
        this.zones = Set.copyOf(zones);
    }

    /** Why {@code name} cannot name a zone of its own, if it cannot. */
    public static Optional<String> reservedName(String name) {
        if (name.equals(GATEWAY)) {
            return Optional.of("\"gateway\" means the gateway itself");
        }
        return ROLE_IDS.contains(name) ? Optional.of(JsonValue.quote(name) + " is a role") : Optional.empty();
    }

    /** A zone reference; {@code "gateway"} only where traffic ends at the box (a conduit's {@code to}). */
    public Optional<String> zone(JsonValue at, boolean gatewayAllowed) {
        return in.string(at).flatMap(ref -> {
            if (ref.equals(GATEWAY) && !gatewayAllowed) {
                return in.fail(at, "\"gateway\" (the box itself) is only allowed as a conduit's \"to\"");
            }
            if (ref.equals(GATEWAY) || ROLE_IDS.contains(ref) || zones.contains(ref)) {
                return Optional.of(ref);
            }
            return in.fail(at, "unknown zone " + at.describe() + "; expected " + expectedZones());
        });
    }

    /** A multicast endpoint: a port of the document or a zone reference (never the box itself). */
    public Optional<String> portOrZone(JsonValue at, KnownPorts ports) {
        return in.string(at).flatMap(ref -> {
            if (ports.exists(ref) || ROLE_IDS.contains(ref) || zones.contains(ref)) {
                return Optional.of(ref);
            }
            return in.fail(at, "unknown port or zone " + at.describe() + "; expected a port of this document or "
                    + expectedZones());
        });
    }

    private String expectedZones() {
        String declared = zones.isEmpty() ? "" : " (" + String.join(", ", zones.stream().sorted().toList()) + ")";
        return "a zone of /firewall/zones" + declared + " or a role (" + String.join(", ", ROLE_IDS) + ")";
    }
}
