package io.isthmus.firewall;

import io.isthmus.api.config.FirewallConfig.PortForward;
import io.isthmus.api.config.Ipv4Config;
import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.config.SectionValidator;
import io.isthmus.api.config.ValidationError;
import io.isthmus.api.net.Ipv4Address;
import io.isthmus.api.net.PortRole;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.service.component.annotations.Component;

/**
 * The firewall's checks across entries (the config bundle has already checked each field): two port forwards
 * that claim the same uplink port, and port forwards into an offline network.
 */
@Component(service = SectionValidator.class, property = SectionValidator.SECTION + "=firewall")
public class FirewallValidator implements SectionValidator {

    @Override
    public List<ValidationError> validate(NetworkDocument doc) {
        List<ValidationError> errors = new ArrayList<>();
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
            offlinePortHolding(doc, f.toAddress()).ifPresent(port -> errors.add(new ValidationError(pointer, f.toAddress() + " is in the "
                            + "network of " + port + ", an offline port; nothing from an uplink reaches it")));
        }
        return errors;
    }

    private static Optional<String> offlinePortHolding(NetworkDocument doc, String address) {
        Ipv4Address a = Ipv4Address.parse(address).orElseThrow();
        return doc.ports().entrySet().stream()
                .filter(e -> e.getValue().role() == PortRole.OFFLINE
                        && e.getValue().ipv4() instanceof Ipv4Config.Static s && s.address().contains(a))
                .map(Map.Entry::getKey).findFirst();
    }
}
