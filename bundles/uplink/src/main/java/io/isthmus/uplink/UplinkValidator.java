package io.isthmus.uplink;

import io.isthmus.api.config.Ipv4Config;
import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.config.PortConfig;
import io.isthmus.api.config.SectionValidator;
import io.isthmus.api.config.UplinkConfig;
import io.isthmus.api.config.ValidationError;
import io.isthmus.api.net.Ipv4Address;
import io.isthmus.api.net.PortRole;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.service.component.annotations.Component;

/**
 * The uplink section's checks beyond the schema: each probe target is one the manager can probe and does not
 * lie on an offline network (a probe there would test nothing and leak toward the OT side); probing is not
 * faster than a safe minimum; data caps, weights and the management and data lists name uplinks, and at least
 * one uplink may carry management. (A negative cost and {@code downAfter} 0 are already
 * rejected by the document's own rules.)
 */
@Component(property = SectionValidator.SECTION + "=uplink")
public class UplinkValidator implements SectionValidator {
    /** Faster probing floods the targets and, times the uplinks and targets, costs a process per probe. */
    static final int SAFE_MIN_INTERVAL_MS = 100;

    @Override
    public List<ValidationError> validate(NetworkDocument document) {
        List<ValidationError> errors = new ArrayList<>();
        UplinkConfig uplink = document.uplink();
        List<String> targets = uplink.probe().targets();
        for (int i = 0; i < targets.size(); i++) {
            String pointer = "/uplink/probe/targets/" + i;
            ProbeTarget.Parsed parsed = ProbeTarget.parse(targets.get(i));
            if (parsed.target().isEmpty()) {
                errors.add(new ValidationError(pointer, parsed.problem()));
                continue;
            }
            offlinePortHolding(parsed.target().get(), document.ports()).ifPresent(port -> errors.add(
                    new ValidationError(pointer, "target " + parsed.target().get().host() + " is on the network of "
                            + "offline port " + port + ": uplink probes never go there")));
        }
        if (uplink.probe().intervalMs() < SAFE_MIN_INTERVAL_MS) {
            errors.add(new ValidationError("/uplink/probe/intervalMs", "probing every " + uplink.probe().intervalMs()
                    + " ms is below the safe minimum of " + SAFE_MIN_INTERVAL_MS + " ms"));
        }
        if (uplink.costly().intervalMs() < uplink.probe().intervalMs()) {
            errors.add(new ValidationError("/uplink/costly/intervalMs", "a costly uplink's standby interval ("
                    + uplink.costly().intervalMs() + " ms) must not be shorter than probe.intervalMs ("
                    + uplink.probe().intervalMs() + " ms)"));
        }
        mustBeUplinks(document, uplink.dataCaps().keySet(), "/uplink/dataCaps/", errors);
        mustBeUplinks(document, uplink.weights().keySet(), "/uplink/weights/", errors);
        uplink.management().ifPresent(l -> {
            listedUplinks(document, l, "/uplink/management", errors);
            if (l.isEmpty()) {
                errors.add(new ValidationError("/uplink/management", "no uplink may carry management: the gateway "
                        + "could never be reached; name at least one uplink, or leave the list out (every uplink)"));
            }
        });
        uplink.data().ifPresent(l -> listedUplinks(document, l, "/uplink/data", errors));
        return errors;
    }

    /** A list of uplinks ({@code management}, {@code data}): each entry an uplink port of the document. */
    private static void listedUplinks(NetworkDocument document, List<String> ports, String pointer,
            List<ValidationError> errors) {
        for (int i = 0; i < ports.size(); i++) {
            PortConfig p = document.ports().get(ports.get(i));
            if (p == null || p.role() != PortRole.UPLINK) {
                errors.add(new ValidationError(pointer + "/" + i, p == null ? "no port " + ports.get(i)
                        + " in this document" : "port " + ports.get(i) + " is " + p.role().id() + ", not an uplink"));
            }
        }
    }

    private static Optional<String> offlinePortHolding(ProbeTarget target, Map<String, PortConfig> ports) {
        Optional<Ipv4Address> address = target.literal();
        if (address.isEmpty()) {
            return Optional.empty();
        }
        return ports.entrySet().stream().filter(e -> e.getValue().role() == PortRole.OFFLINE)
                .filter(e -> e.getValue().ipv4() instanceof Ipv4Config.Static s && s.address().contains(address.get()))
                .map(Map.Entry::getKey).findFirst();
    }

    /** Per-port settings of the uplink section name uplink ports of the document. */
    private static void mustBeUplinks(NetworkDocument document, java.util.Set<String> ports, String pointer,
            List<ValidationError> errors) {
        ports.stream().sorted().forEach(port -> {
            PortConfig p = document.ports().get(port);
            if (p == null || p.role() != PortRole.UPLINK) {
                errors.add(new ValidationError(pointer + port.replace("~", "~0").replace("/", "~1"),
                        p == null ? "no port " + port + " in this document" : "port " + port + " is "
                                + p.role().id() + ", not an uplink"));
            }
        });
    }
}
