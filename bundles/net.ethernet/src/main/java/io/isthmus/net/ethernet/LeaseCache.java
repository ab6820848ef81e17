package io.isthmus.net.ethernet;

import io.isthmus.api.linux.DhcpLease;
import io.isthmus.api.net.Ipv4Address;
import io.isthmus.api.net.Ipv4Cidr;
import io.isthmus.api.runtime.DataFile;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The last lease of every DHCP port with its expiry, in the bundle's data area. After a restart or a bundle
 * update the port keeps using a lease that has not expired until its new client reports, as DHCP clients do
 * with their lease files: a reboot does not drop the uplink's address and default route.
 */
final class LeaseCache {
    private final DataFile file;

    LeaseCache(DataFile file) {
        this.file = file;
    }

    /** Leases that are still valid at {@code now}, by device. */
    Map<String, DhcpLease> load(Instant now) {
        Map<String, DhcpLease> leases = new HashMap<>();
        for (String line : file.lines()) {
            parse(line, now).ifPresent(l -> leases.put(l.device(), l));
        }
        return leases;
    }

    /** One line: {@code dev address router|- dns,dns|- mtu|- expiryEpochSeconds}. */
    private static Optional<DhcpLease> parse(String line, Instant now) {
        String[] p = line.trim().split(" ");
        if (p.length != 6) {
            return Optional.empty();
        }
        try {
            Instant expires = Instant.ofEpochSecond(Long.parseLong(p[5]));
            Optional<Ipv4Cidr> address = Ipv4Cidr.parse(p[1]);
            if (address.isEmpty() || !expires.isAfter(now)) {
                return Optional.empty();
            }
            List<Ipv4Address> dns = new ArrayList<>();
            if (!p[3].equals("-")) {
                for (String d : p[3].split(",")) {
                    Ipv4Address.parse(d).ifPresent(dns::add);
                }
            }
            Optional<Integer> mtu = p[4].equals("-") ? Optional.empty() : Optional.of(Integer.parseInt(p[4]));
            return Optional.of(new DhcpLease(p[0], address.get(), Ipv4Address.parse(p[2]), dns, mtu,
                    Duration.between(now, expires)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    void save(Map<String, DhcpLease> leases, Map<String, Instant> obtained) throws IOException {
        StringBuilder sb = new StringBuilder();
        leases.forEach((dev, l) -> {
            Instant expires = obtained.getOrDefault(dev, Instant.now()).plus(l.leaseTime());
            sb.append(dev).append(' ').append(l.address()).append(' ')
                    .append(l.router().map(Object::toString).orElse("-")).append(' ')
                    .append(l.dns().isEmpty() ? "-" : String.join(",", l.dns().stream().map(Object::toString).toList()))
                    .append(' ').append(l.mtu().map(Object::toString).orElse("-")).append(' ')
                    .append(expires.getEpochSecond()).append('\n');
        });
        file.replace(sb.toString());
    }
}
