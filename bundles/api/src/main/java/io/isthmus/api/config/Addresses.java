package io.isthmus.api.config;

import io.isthmus.api.json.JsonReader;
import io.isthmus.api.json.JsonValue;
import io.isthmus.api.net.Ipv4Address;
import io.isthmus.api.net.Ipv4Cidr;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The document's IPv4 values (addresses, prefixes, networks) read with a {@link JsonReader}: the generic JSON types
 * come from the API, these rules are the network document's own. Each read records its error and yields nothing.
 * Shared by every section reader (ports, routes, firewall, multicast, DNS), so one value is refused in one way.
 */
@ProviderType
public final class Addresses {
    private static final Pattern CIDR = Pattern.compile("([^/]*)/(\\d{1,3})");

    private Addresses() {
    }

    public static Optional<Ipv4Address> address(JsonReader in, JsonValue at) {
        return in.read(() -> at.parsed(Ipv4Address::parse, "an IPv4 address like 192.168.50.1"));
    }

    /** An address a host or a next hop can have: see {@link #notAHost}. */
    public static Optional<Ipv4Address> hostAddress(JsonReader in, JsonValue at) {
        return address(in, at).flatMap(a -> notAHost(a).<Optional<Ipv4Address>>map(why -> in.fail(at, a + " " + why
                + "; expected the unicast address of a host")).orElse(Optional.of(a)));
    }

    /**
     * Why {@code a} can never be the address of a host on a network, if it cannot: "this network" (0/8),
     * loopback (127/8), multicast (224/4) and the limited broadcast address. The kernel takes most of them on an
     * interface without complaint, which is what makes them dangerous.
     */
    public static Optional<String> notAHost(Ipv4Address a) {
        int first = (a.bits() >>> 24) & 0xFF;
        if (first == 0) {
            return Optional.of("is in 0.0.0.0/8 (\"this network\")");
        }
        if (first == 127) {
            return Optional.of("is a loopback address (127.0.0.0/8)");
        }
        if (a.isMulticast()) {
            return Optional.of("is a multicast address (224.0.0.0/4)");
        }
        if (a.bits() == -1) {
            return Optional.of("is the limited broadcast address");
        }
        return Optional.empty();
    }

    /** {@code a.b.c.d/n} with a specific message for each way it can be wrong. */
    public static Optional<Ipv4Cidr> cidr(JsonReader in, JsonValue at) {
        Optional<String> text = in.string(at);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        Matcher m = CIDR.matcher(text.get());
        if (!m.matches()) {
            return in.fail(at, "expected an IPv4 address with a prefix length like 192.168.50.1/24, got "
                    + at.describe());
        }
        Optional<Ipv4Address> address = Ipv4Address.parse(m.group(1));
        if (address.isEmpty()) {
            return in.fail(at, JsonValue.quote(m.group(1))
                    + " is not an IPv4 address; expected four numbers 0..255 like 192.168.50.1");
        }
        int prefix = Integer.parseInt(m.group(2));
        if (prefix > 32) {
            return in.fail(at, "prefix length /" + prefix + " is out of range; expected 0..32");
        }
        return Optional.of(new Ipv4Cidr(address.get(), prefix));
    }

    /** The address of a host on its subnet: neither the network nor (below /31) the broadcast address. */
    public static Optional<Ipv4Cidr> hostCidr(JsonReader in, JsonValue at) {
        return cidr(in, at).flatMap(c -> {
            Optional<String> notAHost = notAHost(c.address());
            if (notAHost.isPresent()) {
                return in.fail(at, c.address() + " " + notAHost.get() + "; give this port's own unicast address");
            }
            if (c.prefix() < 31 && c.address().equals(c.network().address())) {
                return in.fail(at, c + " is the network address of its subnet; give this port's own address, e.g. "
                        + new Ipv4Cidr(new Ipv4Address(c.address().bits() + 1), c.prefix()));
            }
            if (c.prefix() < 31 && c.address().equals(broadcast(c))) {
                return in.fail(at, c + " is the broadcast address of its subnet; give this port's own address");
            }
            return Optional.of(c);
        });
    }

    /** A network: the host bits must be zero, as the kernel and nftables insist. */
    public static Optional<Ipv4Cidr> networkCidr(JsonReader in, JsonValue at) {
        return cidr(in, at).flatMap(c -> c.equals(c.network()) ? Optional.of(c)
                : in.fail(at, "host bits must be zero: " + c + " lies in " + c.network() + "; write that instead"));
    }

    /** Why {@code a} cannot be a next hop on {@code subnet}: it is the subnet's network or broadcast address. */
    public static Optional<String> notAHostOn(Ipv4Cidr subnet, Ipv4Address a) {
        if (subnet.prefix() >= 31 || !subnet.contains(a)) {
            return Optional.empty();
        }
        if (a.equals(subnet.network().address())) {
            return Optional.of("is the network address of " + subnet.network());
        }
        return a.equals(broadcast(subnet)) ? Optional.of("is the broadcast address of " + subnet.network())
                : Optional.empty();
    }

    public static Ipv4Address broadcast(Ipv4Cidr cidr) {
        int hostMask = cidr.prefix() == 0 ? -1 : (int) (0xFFFFFFFFL >>> cidr.prefix());
        return new Ipv4Address(cidr.network().address().bits() | hostMask);
    }
}
