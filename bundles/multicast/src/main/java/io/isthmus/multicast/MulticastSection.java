package io.isthmus.multicast;

import io.isthmus.api.config.MulticastConfig.PassThrough;
import io.isthmus.api.config.Addresses;
import io.isthmus.api.config.KnownPorts;
import io.isthmus.api.config.MulticastConfig;
import io.isthmus.api.firewall.ZoneRefs;
import io.isthmus.api.json.JsonReader;
import io.isthmus.api.json.JsonValue;
import java.util.List;
import java.util.Optional;

/** Reads {@code /multicast}: flows passed from one port or zone to others. */
// public for the schema test of io.isthmus.config, which holds these keys against the published schema
public final class MulticastSection {
    public static final List<String> FLOW_KEYS = List.of("group", "port", "from", "to");

    private final JsonReader in;
    private final KnownPorts ports;
    private final ZoneRefs refs;

    MulticastSection(JsonReader in, KnownPorts ports, ZoneRefs refs) {
        this.in = in;
        this.ports = ports;
        this.refs = refs;
    }

    MulticastConfig read(Optional<JsonValue> section) {
        return section.flatMap(s -> in.object(s, List.of("passThrough")))
                .map(s -> new MulticastConfig(in.optionalList(s, "passThrough", this::flow)))
                .orElse(MulticastConfig.empty());
    }

    private Optional<PassThrough> flow(JsonValue at) {
        if (in.object(at, FLOW_KEYS).isEmpty()) {
            return Optional.empty();
        }
        Optional<String> group = in.required(at, "group", "a multicast group like 224.0.2.14").flatMap(this::group);
        Optional<Integer> port = in.required(at, "port", "a UDP port 1..65535").flatMap(p -> in.integer(p, 1, 65535));
        Optional<String> from = in.required(at, "from", "the port or zone the flow comes from")
                .flatMap(f -> refs.portOrZone(f, ports));
        Optional<List<String>> to = in.required(at, "to", "a list of ports or zones the flow goes to")
                .flatMap(t -> destinations(t, from));
        if (group.isEmpty() || port.isEmpty() || from.isEmpty() || to.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new PassThrough(group.get(), port.get(), from.get(), to.get()));
    }

    private Optional<String> group(JsonValue at) {
        return Addresses.address(in, at).flatMap(a -> a.isMulticast() ? Optional.of(a.toString())
                : in.fail(at, a + " is not a multicast group; expected an address in 224.0.0.0/4"));
    }

    private Optional<List<String>> destinations(JsonValue at, Optional<String> from) {
        Optional<List<String>> to = in.list(at, t -> refs.portOrZone(t, ports).flatMap(ref -> from.equals(Optional.of(ref))
                ? in.fail(t, "the flow comes from " + ref + "; it cannot also go there")
                : Optional.of(ref)));
        if (to.isPresent() && at.elements().isEmpty()) {
            return in.fail(at, "expected at least one port or zone the flow goes to, got an empty list");
        }
        return to;
    }
}
