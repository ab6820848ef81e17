package io.isthmus.api.net;

import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/** An IPv4 address with a prefix length, as in {@code 192.168.50.1/24}. */
@ProviderType
public record Ipv4Cidr(Ipv4Address address, int prefix) {

    public Ipv4Cidr {
        if (prefix < 0 || prefix > 32) {
            throw new IllegalArgumentException("prefix " + prefix + " is out of range 0..32");
        }
    }

    /** Parses {@code a.b.c.d/n}; empty when the text is not exactly that. */
    public static Optional<Ipv4Cidr> parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0 || slash != text.lastIndexOf('/')) {
            return Optional.empty();
        }
        String p = text.substring(slash + 1);
        if (p.isEmpty() || p.length() > 2 || !p.chars().allMatch(Character::isDigit)) {
            return Optional.empty();
        }
        int prefix = Integer.parseInt(p);
        if (prefix > 32) {
            return Optional.empty();
        }
        return Ipv4Address.parse(text.substring(0, slash)).map(a -> new Ipv4Cidr(a, prefix));
    }

    /** The network this address belongs to, e.g. 192.168.50.0/24 for 192.168.50.1/24. */
    public Ipv4Cidr network() {
        return new Ipv4Cidr(new Ipv4Address(address.bits() & mask()), prefix);
    }

    public boolean contains(Ipv4Address other) {
        return (other.bits() & mask()) == (address.bits() & mask());
    }

    /** True when the two networks share at least one address. */
    public boolean overlaps(Ipv4Cidr other) {
        int shorter = Math.min(prefix, other.prefix);
        int m = shorter == 0 ? 0 : (int) (0xFFFFFFFFL << (32 - shorter));
        return (address.bits() & m) == (other.address.bits() & m);
    }

    private int mask() {
        return prefix == 0 ? 0 : (int) (0xFFFFFFFFL << (32 - prefix));
    }

    @Override
    public String toString() {
        return address + "/" + prefix;
    }
}
