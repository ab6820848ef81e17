package io.isthmus.config.impl;

import io.isthmus.api.config.ValidationError;
import io.isthmus.api.net.Ipv4Address;
import io.isthmus.api.net.Ipv4Cidr;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads typed values out of a JSON tree and records every problem instead of throwing, so that one
 * pass reports all the errors of a document. Each read returns empty when the value is unusable.
 */
final class ValueReader {
    private static final Pattern CIDR = Pattern.compile("([^/]*)/(\\d{1,3})");

    private final List<ValidationError> errors = new ArrayList<>();

    void error(String pointer, String message) {
        errors.add(new ValidationError(pointer, message));
    }

    List<ValidationError> errors() {
        return List.copyOf(errors);
    }

    boolean hasErrors() {
        return !errors.isEmpty();
    }

    Optional<Located> object(Located at) {
        if (at.json().isObject()) {
            return Optional.of(at);
        }
        return fail(at, "expected an object, got " + at.describe());
    }

    /** An object whose members must all be among {@code keys}: a typo must never be silently ignored. */
    Optional<Located> object(Located at, Collection<String> keys) {
        Optional<Located> object = object(at);
        object.ifPresent(o -> o.members().stream().filter(m -> !keys.contains(m.name()))
                .forEach(m -> error(m.pointer(), "unknown key " + Located.quote(m.name()) + "; expected one of "
                        + String.join(", ", keys))));
        return object;
    }

    /** A member that must be present; when it is missing the error names the enclosing object. */
    Optional<Located> required(Located object, String key, String expected) {
        Optional<Located> member = object.get(key);
        if (member.isEmpty()) {
            error(object.pointer(), "missing " + Located.quote(key) + ": expected " + expected);
        }
        return member;
    }

    /** The elements of an array, each read by {@code element}; elements that fail are left out. */
    <T> Optional<List<T>> list(Located at, Function<Located, Optional<T>> element) {
        if (!at.json().isArray()) {
            return fail(at, "expected an array, got " + at.describe());
        }
        List<T> out = new ArrayList<>();
        at.elements().forEach(e -> element.apply(e).ifPresent(out::add));
        return Optional.of(out);
    }

    /** Like {@link #list} for an optional member: absent means an empty list. */
    <T> List<T> optionalList(Located object, String key, Function<Located, Optional<T>> element) {
        return object.get(key).flatMap(at -> list(at, element)).orElse(List.of());
    }

    Optional<String> string(Located at) {
        if (at.json().isTextual()) {
            return Optional.of(at.json().textValue());
        }
        return fail(at, "expected a string, got " + at.describe());
    }

    Optional<String> nonEmptyString(Located at) {
        return string(at).flatMap(s -> s.isBlank()
                ? fail(at, "expected a non-empty string, got " + at.describe())
                : Optional.of(s));
    }

    Optional<String> matching(Located at, Pattern pattern, String expected) {
        return string(at).flatMap(s -> pattern.matcher(s).matches() ? Optional.of(s)
                : fail(at, "expected " + expected + ", got " + at.describe()));
    }

    /** One of a fixed set of words, e.g. {@code what} = "port kind". */
    Optional<String> oneOf(Located at, String what, List<String> allowed) {
        return string(at).flatMap(s -> allowed.contains(s) ? Optional.of(s)
                : fail(at, "unknown " + what + " " + at.describe() + "; expected one of " + String.join(", ", allowed)));
    }

    Optional<Integer> integer(Located at, int min, int max) {
        return integer(at, min, max, "");
    }

    /** An integer in min..max; {@code why} explains a bound that comes from another field. */
    Optional<Integer> integer(Located at, int min, int max, String why) {
        if (at.json().isIntegralNumber()) {
            BigInteger value = at.json().bigIntegerValue();
            if (value.compareTo(BigInteger.valueOf(min)) >= 0 && value.compareTo(BigInteger.valueOf(max)) <= 0) {
                return Optional.of(value.intValue());
            }
        }
        return fail(at, "expected an integer " + min + ".." + max + why + ", got " + at.describe());
    }

    /** A whole number from 1 up to Long.MAX_VALUE (byte counts). */
    Optional<Long> positiveLong(Located at) {
        if (at.json().isIntegralNumber() && at.json().canConvertToLong() && at.json().longValue() >= 1) {
            return Optional.of(at.json().longValue());
        }
        return fail(at, "expected a whole number 1.." + Long.MAX_VALUE + ", got " + at.describe());
    }

    Optional<Ipv4Address> address(Located at) {
        return string(at).flatMap(s -> Ipv4Address.parse(s).or(() -> fail(at,
                "expected an IPv4 address like 192.168.50.1, got " + at.describe())));
    }

    /** An address a host or a next hop can have: see {@link #notAHost}. */
    Optional<Ipv4Address> hostAddress(Located at) {
        return address(at).flatMap(a -> notAHost(a).<Optional<Ipv4Address>>map(why -> fail(at, a + " " + why
                + "; expected the unicast address of a host")).orElse(Optional.of(a)));
    }

    /**
     * Why {@code a} can never be the address of a host on a network, if it cannot: "this network" (0/8),
     * loopback (127/8), multicast (224/4) and the limited broadcast address. The kernel takes most of them on an
     * interface without complaint, which is what makes them dangerous.
     */
    static Optional<String> notAHost(Ipv4Address a) {
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
    Optional<Ipv4Cidr> cidr(Located at) {
        Optional<String> text = string(at);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        Matcher m = CIDR.matcher(text.get());
        if (!m.matches()) {
            return fail(at, "expected an IPv4 address with a prefix length like 192.168.50.1/24, got " + at.describe());
        }
        Optional<Ipv4Address> address = Ipv4Address.parse(m.group(1));
        if (address.isEmpty()) {
            return fail(at, Located.quote(m.group(1))
                    + " is not an IPv4 address; expected four numbers 0..255 like 192.168.50.1");
        }
        int prefix = Integer.parseInt(m.group(2));
        if (prefix > 32) {
            return fail(at, "prefix length /" + prefix + " is out of range; expected 0..32");
        }
        return Optional.of(new Ipv4Cidr(address.get(), prefix));
    }

    /** The address of a host on its subnet: neither the network nor (below /31) the broadcast address. */
    Optional<Ipv4Cidr> hostCidr(Located at) {
        return cidr(at).flatMap(c -> {
            Optional<String> notAHost = notAHost(c.address());
            if (notAHost.isPresent()) {
                return fail(at, c.address() + " " + notAHost.get() + "; give this port's own unicast address");
            }
            if (c.prefix() < 31 && c.address().equals(c.network().address())) {
                return fail(at, c + " is the network address of its subnet; give this port's own address, e.g. "
                        + new Ipv4Cidr(new Ipv4Address(c.address().bits() + 1), c.prefix()));
            }
            if (c.prefix() < 31 && c.address().equals(broadcast(c))) {
                return fail(at, c + " is the broadcast address of its subnet; give this port's own address");
            }
            return Optional.of(c);
        });
    }

    /** A network: the host bits must be zero, as the kernel and nftables insist. */
    Optional<Ipv4Cidr> networkCidr(Located at) {
        return cidr(at).flatMap(c -> c.equals(c.network()) ? Optional.of(c)
                : fail(at, "host bits must be zero: " + c + " lies in " + c.network() + "; write that instead"));
    }

    /** Why {@code a} cannot be a next hop on {@code subnet}: it is the subnet's network or broadcast address. */
    static Optional<String> notAHostOn(Ipv4Cidr subnet, Ipv4Address a) {
        if (subnet.prefix() >= 31 || !subnet.contains(a)) {
            return Optional.empty();
        }
        if (a.equals(subnet.network().address())) {
            return Optional.of("is the network address of " + subnet.network());
        }
        return a.equals(broadcast(subnet)) ? Optional.of("is the broadcast address of " + subnet.network())
                : Optional.empty();
    }

    static Ipv4Address broadcast(Ipv4Cidr cidr) {
        int hostMask = cidr.prefix() == 0 ? -1 : (int) (0xFFFFFFFFL >>> cidr.prefix());
        return new Ipv4Address(cidr.network().address().bits() | hostMask);
    }

    /** Records an error at {@code at} and yields nothing, for reads that found the value unusable. */
    <T> Optional<T> fail(Located at, String message) {
        error(at.pointer(), message);
        return Optional.empty();
    }
}
