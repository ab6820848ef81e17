package io.isthmus.multicast;

import io.isthmus.api.config.MulticastConfig.PassThrough;
import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.config.SectionValidator;
import io.isthmus.api.config.ValidationError;
import io.isthmus.api.firewall.Zones;
import io.isthmus.api.net.Ipv4Address;
import io.isthmus.api.net.PortRole;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.osgi.service.component.annotations.Component;

/**
 * Checks the multicast section beyond its fields: a link-local group (224.0.0.0/24) is never routed, so the only
 * one accepted is mDNS on 5353 (the reflector's path); a flow's ports must not overlap on both sides; and no flow
 * pairs an uplink with an offline port, in either direction: OT multicast never leaves through an uplink and nothing
 * from the ISP side is ever passed into the OT network.
 */
@Component(service = SectionValidator.class, property = SectionValidator.SECTION + "=multicast")
public class MulticastValidator implements SectionValidator {

    @Override
    public List<ValidationError> validate(NetworkDocument doc) {
        List<ValidationError> errors = new ArrayList<>();
        List<PassThrough> flows = doc.multicast().passThrough();
        for (int i = 0; i < flows.size(); i++) {
            PassThrough flow = flows.get(i);
            String at = "/multicast/passThrough/" + i;
            boolean linkLocal = Ipv4Address.parse(flow.group()).map(a -> (a.bits() >>> 8) == 0xE00000).orElse(false);
            if (flow.group().equals(MulticastPlan.MDNS_GROUP)) {
                if (flow.port() != MulticastPlan.MDNS_PORT) {
                    errors.add(new ValidationError(at + "/port", "mDNS (224.0.0.251) is reflected on port 5353 only"));
                }
            } else if (linkLocal) {
                errors.add(new ValidationError(at + "/group", flow.group() + " is link-local (224.0.0.0/24) and "
                        + "never routed; use a routable group (e.g. 224.0.2.14), or 224.0.0.251 port 5353 for "
                        + "OPC UA discovery"));
            }
            Set<String> from = Zones.ports(doc, flow.from());
            Set<String> to = Zones.ports(doc, flow.to());
            from.stream().filter(to::contains).findFirst().ifPresent(p -> errors.add(new ValidationError(at + "/to",
                    "port " + p + " is on both sides of the flow")));
            crossesOfflineBoundary(doc, flow, at).ifPresent(errors::add);
        }
        return errors;
    }

    /** Reported at the first {@code to} entry that reaches across the boundary. */
    private static Optional<ValidationError> crossesOfflineBoundary(NetworkDocument doc, PassThrough flow, String at) {
        Set<String> from = Zones.ports(doc, flow.from());
        for (int j = 0; j < flow.to().size(); j++) {
            Set<String> to = Zones.ports(doc, flow.to().get(j));
            Optional<String> pair = pair(doc, from, to);
            if (pair.isPresent()) {
                return Optional.of(new ValidationError(at + "/to/" + j, pair.get() + "; a multicast flow never "
                        + "crosses between an uplink and an offline network, in either direction"));
            }
        }
        return Optional.empty();
    }

    /** "passes uplink port eth0 into offline port eth2" when {@code from} holds one role and {@code to} the other. */
    private static Optional<String> pair(NetworkDocument doc, Set<String> from, Set<String> to) {
        for (PortRole[] roles : new PortRole[][] {{PortRole.UPLINK, PortRole.OFFLINE}, {PortRole.OFFLINE, PortRole.UPLINK}}) {
            Optional<String> a = withRole(doc, from, roles[0]);
            Optional<String> b = withRole(doc, to, roles[1]);
            if (a.isPresent() && b.isPresent()) {
                return Optional.of("passes " + roles[0].id() + " port " + a.get() + " into " + roles[1].id() + " port "
                        + b.get());
            }
        }
        return Optional.empty();
    }

    private static Optional<String> withRole(NetworkDocument doc, Set<String> ports, PortRole role) {
        return ports.stream().filter(p -> doc.ports().containsKey(p) && doc.ports().get(p).role() == role).findFirst();
    }
}
