package io.isthmus.api.net;

import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/** An IPv4 address held as its 32 bits. */
@ProviderType
public record Ipv4Address(int bits) {

    /** Parses dotted-quad notation strictly: four decimal octets, no leading zeros. */
    public static Optional<Ipv4Address> parse(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return Optional.empty();
        }
        int bits = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)
                    || (part.length() > 1 && part.charAt(0) == '0')) {
                return Optional.empty();
            }
            int octet = Integer.parseInt(part);
            if (octet > 255) {
                return Optional.empty();
            }
            bits = (bits << 8) | octet;
        }
        return Optional.of(new Ipv4Address(bits));
    }

    public boolean isMulticast() {
        return (bits >>> 28) == 0xE;
    }

    @Override
    public String toString() {
        return ((bits >>> 24) & 0xFF) + "." + ((bits >>> 16) & 0xFF) + "." + ((bits >>> 8) & 0xFF) + "." + (bits & 0xFF);
    }
}
