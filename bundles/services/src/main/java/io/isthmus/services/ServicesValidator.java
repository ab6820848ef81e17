package io.isthmus.services;

import io.isthmus.api.config.Ipv4Config;
import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.config.PortConfig;
import io.isthmus.api.config.SectionValidator;
import io.isthmus.api.config.ValidationError;
import io.isthmus.api.json.JsonReader;
import io.isthmus.api.net.Ipv4Address;
import io.isthmus.api.net.Ipv4Cidr;
import io.isthmus.api.net.PortRole;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Component;

/**
 * The services section: its fields ({@link ServicesSection}), then what they mean together. A port must be an
 * inside port of the document with a static address (the subnet served); a pool lies inside that subnet, from
 * before to, without the gateway's own, network or broadcast address; reservations lie inside the subnet, off the
 * gateway's address, unique by MAC and by address on the port; names are unique; and no two pools serve
 * overlapping subnets (at most one DHCP server per broadcast domain). Time is served only on such inside ports.
 * Every error has its pointer; a document with
 * any is not applied.
 */
@Component(service = SectionValidator.class, property = SectionValidator.SECTION + "=" + ServicesSection.NAME)
public class ServicesValidator implements SectionValidator {

    @Override
    public List<ValidationError> validate(NetworkDocument doc) {
        JsonReader in = new JsonReader();
        ServicesConfig config = new ServicesSection(in).read(doc);
        List<ValidationError> errors = new ArrayList<>(in.errors().stream()
                .map(e -> new ValidationError(e.pointer(), e.reason())).toList());
        Map<String, Ipv4Cidr> pools = new LinkedHashMap<>();
        Map<String, String> names = new HashMap<>();
        names.put(config.hostname(), ServicesSection.POINTER + "/hostname");
        config.ports().forEach((name, p) -> {
            String at = ServicesSection.POINTER + "/ports/" + escape(name);
            PortConfig port = doc.ports().get(name);
            if (port == null) {
                errors.add(new ValidationError(at, "no port " + name + " in /ports"));
                return;
            }
            if (port.role() == PortRole.UPLINK) {
                errors.add(new ValidationError(at, name + " is an uplink; DHCP and DNS are served on inside ports "
                        + "only (dmz, lan, mgmt, offline)"));
                return;
            }
            if (!(port.ipv4() instanceof Ipv4Config.Static s)) {
                errors.add(new ValidationError(at, name + " has no static IPv4 address; the gateway serves a "
                        + "subnet from its own static address on the port (/ports/" + escape(name) + "/ipv4)"));
                return;
            }
            Ipv4Cidr subnet = s.address();
            p.dhcp().ifPresent(d -> {
                String dat = at + "/dhcp";
                checkHost(errors, subnet, d.start(), dat + "/start", "the pool's first address");
                checkHost(errors, subnet, d.end(), dat + "/end", "the pool's last address");
                if (Integer.compareUnsigned(d.start().bits(), d.end().bits()) > 0) {
                    errors.add(new ValidationError(dat + "/end", d.end() + " is before the pool's first address "
                            + d.start()));
                } else if (inRange(subnet.address(), d.start(), d.end())) {
                    errors.add(new ValidationError(dat, "the pool " + d.start() + "-" + d.end() + " contains the "
                            + "gateway's own address " + subnet.address()));
                }
                pools.forEach((other, otherSubnet) -> {
                    if (otherSubnet.overlaps(subnet)) {
                        errors.add(new ValidationError(dat, "the pool overlaps the one of port " + other + " ("
                                + otherSubnet.network() + "); at most one DHCP server per network"));
                    }
                });
                pools.put(name, subnet);
                Map<String, Integer> macs = new HashMap<>();
                Map<Ipv4Address, Integer> addresses = new HashMap<>();
                for (int i = 0; i < d.reservations().size(); i++) {
                    ServicesConfig.Reservation r = d.reservations().get(i);
                    String rat = dat + "/reservations/" + i;
                    Integer seen = macs.putIfAbsent(r.mac(), i);
                    if (seen != null) {
                        errors.add(new ValidationError(rat + "/mac", r.mac() + " is already reserved at "
                                + dat + "/reservations/" + seen));
                    }
                    seen = addresses.putIfAbsent(r.address(), i);
                    if (seen != null) {
                        errors.add(new ValidationError(rat + "/address", r.address() + " is already reserved at "
                                + dat + "/reservations/" + seen));
                    }
                    checkHost(errors, subnet, r.address(), rat + "/address", "a reservation");
                    r.name().ifPresent(n -> {
                        String first = names.putIfAbsent(n, rat + "/name");
                        if (first != null) {
                            errors.add(new ValidationError(rat + "/name", "the name " + n + " is already used at "
                                    + first));
                        }
                    });
                }
            });
        });
        config.time().ifPresent(t -> time(doc, t, errors));
        return errors;
    }

    /** Time is served on inside ports with a static address, each named once; a server list is never empty. */
    private static void time(NetworkDocument doc, ServicesConfig.Time t, List<ValidationError> errors) {
        if (t.servers().filter(List::isEmpty).isPresent()) {
            errors.add(new ValidationError(ServicesSection.POINTER + "/time/servers", "at least one NTP server; "
                    + "leave servers out for the default (" + String.join(", ", ServicesPlan.DEFAULT_NTP) + ")"));
        }
        Map<String, String> seen = new HashMap<>();
        for (ServicesConfig.Named port : t.serve()) {
            PortConfig p = doc.ports().get(port.name());
            String first = seen.putIfAbsent(port.name(), port.pointer());
            if (first != null) {
                errors.add(new ValidationError(port.pointer(), port.name() + " is already listed at " + first));
            } else if (p == null) {
                errors.add(new ValidationError(port.pointer(), "no port " + port.name() + " in /ports"));
            } else if (p.role() == PortRole.UPLINK) {
                errors.add(new ValidationError(port.pointer(), port.name() + " is an uplink; time is served on "
                        + "inside ports only (dmz, lan, mgmt, offline)"));
            } else if (!(p.ipv4() instanceof Ipv4Config.Static)) {
                errors.add(new ValidationError(port.pointer(), port.name() + " has no static IPv4 address; the "
                        + "gateway serves time to the subnet of its own static address on the port (/ports/"
                        + escape(port.name()) + "/ipv4)"));
            }
        }
    }

    /** Inside the subnet, and neither the gateway's own, the network nor the broadcast address. */
    private static void checkHost(List<ValidationError> errors, Ipv4Cidr subnet, Ipv4Address a, String at,
            String what) {
        if (!subnet.contains(a)) {
            errors.add(new ValidationError(at, what + " " + a + " is outside the port's subnet " + subnet.network()));
        } else if (a.equals(subnet.address())) {
            errors.add(new ValidationError(at, what + " " + a + " is the gateway's own address on the port"));
        } else if (subnet.prefix() < 31 && (a.equals(subnet.network().address()) || a.equals(broadcast(subnet)))) {
            errors.add(new ValidationError(at, what + " " + a + " is the network or broadcast address of "
                    + subnet.network()));
        }
    }

    static Ipv4Address broadcast(Ipv4Cidr subnet) {
        int host = subnet.prefix() == 0 ? -1 : ~(-1 << (32 - subnet.prefix()));
        return new Ipv4Address(subnet.network().address().bits() | host);
    }

    private static boolean inRange(Ipv4Address a, Ipv4Address first, Ipv4Address last) {
        return Integer.compareUnsigned(a.bits(), first.bits()) >= 0 && Integer.compareUnsigned(a.bits(), last.bits())
                <= 0;
    }

    private static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }
}
