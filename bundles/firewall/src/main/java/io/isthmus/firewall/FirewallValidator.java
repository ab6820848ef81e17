package io.isthmus.firewall;

import io.isthmus.api.config.FirewallConfig.Conduit;
import io.isthmus.api.config.FirewallConfig.PortForward;
import io.isthmus.api.config.Ipv4Config;
import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.config.RouteConfig;
import io.isthmus.api.config.SectionValidator;
import io.isthmus.api.config.ValidationError;
import io.isthmus.api.firewall.Zones;
import io.isthmus.api.net.Ipv4Address;
import io.isthmus.api.net.PortRole;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.osgi.service.component.annotations.Component;

/**
 * The firewall's checks across entries (the config bundle has already checked each field): two port forwards
 * that claim the same uplink port, port forwards into an offline network (its subnet or a network routed through
 * it), and conduits from an uplink into an offline network, which routing never carries.
 */
@Component(service = SectionValidator.class, property = SectionValidator.SECTION + "=firewall")
public class FirewallValidator implements SectionValidator {

    @Override
    public List<ValidationError> validate(NetworkDocument doc) {
        List<ValidationError> errors = new ArrayList<>();
        List<Conduit> conduits = doc.firewall().conduits();
        for (int i = 0; i < conduits.size(); i++) {
            uplinkToOffline(doc, conduits.get(i), "/firewall/conduits/" + i + "/to").ifPresent(errors::add);
        }
        List<PortForward> forwards = doc.firewall().portForwards();
        for (int i = 0; i < forwards.size(); i++) {
            PortForward f = forwards.get(i);
            for (int j = 0; j < i; j++) {
                PortForward earlier = forwards.get(j);
                if (earlier.from().equals(f.from()) && earlier.protocol().equals(f.protocol())
                        && earlier.port() == f.port()) {
                    errors.add(new ValidationError("/firewall/portForwards/" + i + "/port", f.protocol() + " port "
                            + f.port() + " on " + f.from() + " is already forwarded by /firewall/portForwards/" + j
                            + "; one port forwards to one host"));
                }
            }
            String pointer = "/firewall/portForwards/" + i + "/toAddress";
            Ipv4Address to = Ipv4Address.parse(f.toAddress()).orElseThrow();
            offlinePortHolding(doc, to).ifPresent(port -> errors.add(new ValidationError(pointer, f.toAddress()
                    + " is in the network of " + port + ", an offline port; nothing from an uplink reaches it")));
            offlineRouteTo(doc, to).ifPresent(r -> errors.add(new ValidationError(pointer, f.toAddress() + " is in "
                    + r.destination() + ", routed through offline port " + viaPort(doc, r).orElseThrow()
                    + "; nothing from an uplink reaches it")));
        }
        return errors;
    }

    /** A conduit that names an uplink on one side and an offline port on the other, by port, zone or role. */
    private static Optional<ValidationError> uplinkToOffline(NetworkDocument doc, Conduit c, String pointer) {
        Optional<String> uplink = withRole(doc, Zones.ports(doc, c.from()), PortRole.UPLINK);
        Optional<String> offline = withRole(doc, Zones.ports(doc, c.to()), PortRole.OFFLINE);
        if (uplink.isEmpty() || offline.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new ValidationError(pointer, "a conduit from " + c.from() + " to " + c.to() + " lets uplink "
                + "port " + uplink.get() + " into offline port " + offline.get() + "; nothing from an uplink ever "
                + "reaches an offline network, so this conduit is refused rather than left without effect"));
    }

    static Optional<String> withRole(NetworkDocument doc, Set<String> ports, PortRole role) {
        return ports.stream().filter(p -> doc.ports().containsKey(p) && doc.ports().get(p).role() == role).findFirst();
    }

    private static Optional<String> offlinePortHolding(NetworkDocument doc, Ipv4Address a) {
        return doc.ports().entrySet().stream()
                .filter(e -> e.getValue().role() == PortRole.OFFLINE
                        && e.getValue().ipv4() instanceof Ipv4Config.Static s && s.address().contains(a))
                .map(Map.Entry::getKey).findFirst();
    }

    /** A static route through an offline port whose destination holds {@code a}. */
    private static Optional<RouteConfig> offlineRouteTo(NetworkDocument doc, Ipv4Address a) {
        return doc.routes().stream().filter(r -> r.destination().contains(a))
                .filter(r -> viaPort(doc, r).map(p -> doc.ports().get(p).role() == PortRole.OFFLINE).orElse(false))
                .findFirst();
    }

    /** The port a route leaves through: the one it names, else the static port whose subnet holds its gateway. */
    private static Optional<String> viaPort(NetworkDocument doc, RouteConfig r) {
        return r.interfaceName().filter(doc.ports()::containsKey).or(() -> r.gateway().flatMap(g -> doc.ports()
                .entrySet().stream().filter(e -> e.getValue().ipv4() instanceof Ipv4Config.Static s
                        && s.address().contains(g)).map(Map.Entry::getKey).findFirst()));
    }
}
